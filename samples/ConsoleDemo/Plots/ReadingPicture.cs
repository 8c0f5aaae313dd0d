using Hcr.MLNet;
using SkiaSharp;
using Hcr.MLNet.Imaging;

namespace ConsoleDemo.Plots;

/// <summary>
/// What <c>read --show</c> writes: the photo with the boxes the reader found (lines, words, characters, each in its own
/// colour) and, in a panel on the right, each line's text level with its line.
/// </summary>
internal static class ReadingPicture
{
    private static readonly SKColor LineColour = new(31, 119, 180), WordColour = new(44, 160, 44), CharacterColour = new(255, 127, 14);

    /// <summary>The panel for the text: this fraction of the image's width, at least <see cref="MinimumPanel"/> pixels.</summary>
    private const float PanelFraction = 0.6f;

    private const int MinimumPanel = 240;

    public static void Save(string imagePath, TextReading reading, string path)
    {
        using SKBitmap photo = SKBitmap.Decode(imagePath) ?? throw new IOException($"Cannot decode {imagePath} to draw on it.");
        int panel = Math.Max(MinimumPanel, (int)(PanelFraction * photo.Width));
        // Strokes and text in proportion to the photo, so that a phone photo's boxes are not hairlines.
        float scale = Math.Max(1f, Math.Max(photo.Width, photo.Height) / 1000f);
        using var surface = SKSurface.Create(new SKImageInfo(photo.Width + panel, photo.Height));
        SKCanvas canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        canvas.DrawBitmap(photo, 0, 0);

        using var characterPen = Pen(CharacterColour, 1 * scale);
        using var wordPen = Pen(WordColour, 2 * scale);
        using var linePen = Pen(LineColour, 2 * scale);
        using var font = new SKFont(PlotFont.Typeface(bold: false), 16 * scale);
        using var textPaint = new SKPaint { Color = LineColour, IsAntialias = true };
        foreach (TextLineReading line in reading.Lines)
        {
            foreach (WordReading word in line.Words)
            {
                foreach (TextCharacterReading c in word.Characters)
                    canvas.DrawRect(Rect(c.Box, 0), characterPen);
                canvas.DrawRect(Rect(word.Box, 2 * scale), wordPen);
            }
            canvas.DrawRect(Rect(line.Box, 4 * scale), linePen);
            float y = line.Box.Y + line.Box.Height / 2f + font.Size / 3;
            canvas.DrawText($"{line.Text}  ({line.Confidence:P0})", photo.Width + 10 * scale, y, SKTextAlign.Left, font, textPaint);
        }
        using SKImage image = surface.Snapshot();
        using SKData data = image.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    private static SKPaint Pen(SKColor colour, float width) => new() { Color = colour, Style = SKPaintStyle.Stroke, StrokeWidth = width, IsAntialias = true };

    /// <summary>The box grown by <paramref name="grow"/> pixels on each side, so that nested boxes stay apart.</summary>
    private static SKRect Rect(InkBox box, float grow) =>
        new(box.X - grow, box.Y - grow, box.X + box.Width + grow, box.Y + box.Height + grow);
}
