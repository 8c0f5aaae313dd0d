using System.Globalization;
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

    /// <summary>The narrowest panel for the text; it widens to the longest line's text, which is never cut.</summary>
    private const int MinimumPanel = 240;

    /// <summary>
    /// The line's least sure character, which is where a person should look: the line's own confidence (the product of
    /// its characters') is near 0 for any long line, so it would say nothing on the picture.
    /// </summary>
    private static string Weakest(TextLineReading line)
    {
        TextCharacterReading? weakest = line.Words.SelectMany(w => w.Characters).MinBy(c => c.Confidence);
        return weakest is null ? "nothing read" : string.Create(CultureInfo.InvariantCulture, $"least sure: '{weakest.Character}' {weakest.Confidence:P0}");
    }

    public static void Save(string imagePath, TextReading reading, string path)
    {
        using SKBitmap photo = SKBitmap.Decode(imagePath) ?? throw new IOException($"Cannot decode {imagePath} to draw on it.");
        // Strokes and text in proportion to the photo, so that a phone photo's boxes are not hairlines.
        float scale = Math.Max(1f, Math.Max(photo.Width, photo.Height) / 1000f);
        using var font = new SKFont(PlotFont.Typeface(bold: false), 16 * scale);
        string[] texts = reading.Lines.Select(line => $"{line.Text}  ({Weakest(line)})").ToArray();
        float margin = 10 * scale;
        int panel = (int)Math.Ceiling(Math.Max(MinimumPanel, texts.Select(text => font.MeasureText(text)).DefaultIfEmpty(0).Max() + 2 * margin));
        using var surface = SKSurface.Create(new SKImageInfo(photo.Width + panel, photo.Height));
        SKCanvas canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        canvas.DrawBitmap(photo, 0, 0);

        using var characterPen = Pen(CharacterColour, 1 * scale);
        using var wordPen = Pen(WordColour, 2 * scale);
        using var linePen = Pen(LineColour, 2 * scale);
        using var textPaint = new SKPaint { Color = LineColour, IsAntialias = true };
        foreach ((TextLineReading line, string text) in reading.Lines.Zip(texts))
        {
            foreach (WordReading word in line.Words)
            {
                foreach (TextCharacterReading c in word.Characters)
                    canvas.DrawRect(Rect(c.Box, 0), characterPen);
                canvas.DrawRect(Rect(word.Box, 2 * scale), wordPen);
            }
            canvas.DrawRect(Rect(line.Box, 4 * scale), linePen);
            float y = line.Box.Y + line.Box.Height / 2f + font.Size / 3;
            canvas.DrawText(text, photo.Width + margin, y, SKTextAlign.Left, font, textPaint);
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
