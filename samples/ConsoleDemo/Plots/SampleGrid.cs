using SkiaSharp;

namespace ConsoleDemo.Plots;

/// <summary>
/// The notebook's figure: test images with predicted and true characters, wrong ones marked in red. Drawn with
/// SkiaSharp directly, as ScottPlot has no grid of images.
/// </summary>
internal static class SampleGrid
{
    public sealed record Sample(byte[] Pixels, char Truth, char Predicted, float Confidence);

    private static readonly SKColor Text = new(60, 60, 60), Right = new(44, 160, 44), Wrong = new(214, 39, 40);

    public static void Save(string path, IReadOnlyList<Sample> samples, int columns = 5)
    {
        const int cell = 150, image = 112, header = 40;
        int rows = (samples.Count + columns - 1) / columns;
        int width = columns * cell;
        using var surface = SKSurface.Create(new SKImageInfo(width, rows * cell + header));
        SKCanvas canvas = surface.Canvas;
        canvas.Clear(SKColors.White);

        using var regular = new SKFont(PlotFont.Typeface(bold: false), 15);
        using var bold = new SKFont(PlotFont.Typeface(bold: true), 15);
        using var title = new SKFont(PlotFont.Typeface(bold: true), 18);
        using var ink = new SKPaint { Color = Text, IsAntialias = true };
        canvas.DrawText($"First {samples.Count} test images: predicted (true)", width / 2f, 26, SKTextAlign.Center, title, ink);

        for (int i = 0; i < samples.Count; i++)
        {
            Sample s = samples[i];
            float left = i % columns * cell + (cell - image) / 2f, top = header + i / columns * cell + 6;
            var dest = new SKRect(left, top, left + image, top + image);
            using (SKImage tile = Tile(s.Pixels))
                canvas.DrawImage(tile, dest, new SKSamplingOptions(SKFilterMode.Nearest)); // crisp 4× pixels, not a blur

            bool right = s.Truth == s.Predicted;
            using var frame = new SKPaint { Color = right ? Right : Wrong, StrokeWidth = right ? 2 : 5, IsStroke = true, IsAntialias = true };
            canvas.DrawRect(dest, frame);
            using var caption = new SKPaint { Color = right ? Text : Wrong, IsAntialias = true };
            canvas.DrawText($"{s.Predicted} ({s.Truth})  {s.Confidence:P0}", dest.MidX, dest.Bottom + 20, SKTextAlign.Center,
                right ? regular : bold, caption);
        }

        using SKImage snapshot = surface.Snapshot();
        using SKData png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using FileStream file = File.Create(path);
        png.SaveTo(file);
    }

    /// <summary>A 28×28 grey image of an EMNIST-style tile.</summary>
    private static SKImage Tile(byte[] pixels) =>
        SKImage.FromPixelCopy(new SKImageInfo(28, 28, SKColorType.Gray8, SKAlphaType.Opaque), pixels);
}
