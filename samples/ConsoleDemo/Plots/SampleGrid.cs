using SkiaSharp;

namespace ConsoleDemo.Plots;

/// <summary>The notebook's figure: test images with predicted and true characters, wrong ones marked in red.</summary>
internal static class SampleGrid
{
    public sealed record Sample(byte[] Pixels, char Truth, char Predicted, float Confidence);

    public static void Save(string path, IReadOnlyList<Sample> samples, int columns = 5)
    {
        const int cell = 150, image = 112;
        int rows = (samples.Count + columns - 1) / columns;
        PlotStyle.SavePng(path, columns * cell, rows * cell + 40, canvas =>
        {
            using (SKPaint title = PlotStyle.Text(18, align: SKTextAlign.Center, bold: true))
                canvas.DrawText($"First {samples.Count} test images: predicted (true)", columns * cell / 2f, 26, title);
            for (int i = 0; i < samples.Count; i++)
            {
                Sample s = samples[i];
                float left = i % columns * cell + (cell - image) / 2f, top = 40 + i / columns * cell + 6;
                using SKBitmap bitmap = Tile(s.Pixels);
                var dest = new SKRect(left, top, left + image, top + image);
                using (var paint = new SKPaint { FilterQuality = SKFilterQuality.None })
                    canvas.DrawBitmap(bitmap, dest, paint);
                bool right = s.Truth == s.Predicted;
                using (SKPaint frame = PlotStyle.Stroke(right ? PlotStyle.Right : PlotStyle.Wrong, right ? 2 : 5))
                    canvas.DrawRect(dest, frame);
                using SKPaint caption = PlotStyle.Text(15, right ? PlotStyle.Axis : PlotStyle.Wrong, SKTextAlign.Center, bold: !right);
                canvas.DrawText($"{s.Predicted} ({s.Truth})  {s.Confidence:P0}", dest.MidX, dest.Bottom + 20, caption);
            }
        });
    }

    /// <summary>A 28×28 grey bitmap of an EMNIST-style tile.</summary>
    internal static SKBitmap Tile(byte[] pixels)
    {
        var bitmap = new SKBitmap(28, 28, SKColorType.Gray8, SKAlphaType.Opaque);
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        return bitmap;
    }
}
