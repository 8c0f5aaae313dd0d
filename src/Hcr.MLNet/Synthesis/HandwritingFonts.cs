using Hcr.MLNet.Imaging;
using SkiaSharp;

namespace Hcr.MLNet.Synthesis;

/// <summary>
/// Handwriting fonts as synthetic writers: text drawn in one of them with every glyph varied on its own (size, rotation,
/// baseline, spacing) and the whole text too (slant, slope, stroke weight, a smooth elastic warp, blur), then put on
/// paper with a pen shade, noise and sometimes a ruled line. A font writes every "e" alike; the variation is what makes
/// two of them differ. Used for the text reader's words and lines and for the recognizer's characters.
/// </summary>
internal sealed class HandwritingFonts : IDisposable
{
    /// <summary>The font size on the canvas, in pixels; the rest scales with it.</summary>
    private const float FontSize = 44;

    private readonly SKTypeface[] _fonts;
    private readonly string[] _names;

    private HandwritingFonts(SKTypeface[] fonts, string[] names)
    {
        _fonts = fonts;
        _names = names;
    }

    /// <summary>The fonts loaded, by file name.</summary>
    public IReadOnlyList<string> Fonts => _names;

    /// <summary>Every TrueType or OpenType font in <paramref name="folder"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The folder holds no font SkiaSharp can read; the message names it.</exception>
    public static HandwritingFonts Load(string folder)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Font folder not found: {folder}");
        var fonts = new List<SKTypeface>();
        var names = new List<string>();
        foreach (string file in Directory.EnumerateFiles(folder).Where(IsFont).Order(StringComparer.Ordinal))
        {
            if (SKTypeface.FromFile(file) is { } typeface)
            {
                fonts.Add(typeface);
                names.Add(Path.GetFileName(file));
            }
        }
        if (fonts.Count == 0)
            throw new InvalidDataException($"{Path.GetFullPath(folder)}: no font (.ttf or .otf) that can be read; synthetic handwriting needs at least one handwriting font.");
        return new HandwritingFonts([.. fonts], [.. names]);
    }

    private static bool IsFont(string file) =>
        Path.GetExtension(file).ToLowerInvariant() is ".ttf" or ".otf";

    /// <summary>Whether font <paramref name="font"/> has a glyph for every character of <paramref name="text"/> but spaces.</summary>
    public bool CanWrite(int font, string text)
    {
        using var skFont = new SKFont(_fonts[font], FontSize);
        return skFont.ContainsGlyphs(text.Replace(" ", "", StringComparison.Ordinal));
    }

    /// <summary>A grey image (paper bright) of <paramref name="text"/> in font <paramref name="font"/>, varied by <paramref name="random"/>.</summary>
    /// <remarks>
    /// A ruled line under the writing, as wide as the image, suits a word or a line; <paramref name="ruledLines"/> false leaves
    /// it out (a single character's ink box would be the rule's). The draws from <paramref name="random"/> are the same
    /// either way.
    /// </remarks>
    public GreyImage Compose(string text, int font, Random random, bool ruledLines = true)
    {
        float size = FontSize * (0.85f + 0.3f * (float)random.NextDouble());
        float shear = 0.3f * (2 * (float)random.NextDouble() - 1);
        float slope = 0.03f * (2 * (float)random.NextDouble() - 1);
        float weight = (float)random.NextDouble() < 0.5 ? 0 : size * 0.05f * (float)random.NextDouble();
        float spacing = size * 0.06f * (2 * (float)random.NextDouble() - 1);
        using var skFont = new SKFont(_fonts[font], size) { Subpixel = true, Edging = SKFontEdging.Antialias };
        float advance = text.Sum(c => skFont.MeasureText(c.ToString()) + Math.Abs(spacing)) + size;
        float margin = size * 0.6f + Math.Abs(shear) * size * 1.5f;
        int width = (int)Math.Ceiling(advance + 2 * margin);
        int height = (int)Math.Ceiling(size * 2.2f + Math.Abs(slope) * advance);
        float baseline = size * 1.45f + (slope > 0 ? slope * advance : 0);

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint { Color = SKColors.White, IsAntialias = true, Style = weight > 0 ? SKPaintStyle.StrokeAndFill : SKPaintStyle.Fill, StrokeWidth = weight })
        {
            canvas.Clear(SKColors.Black);
            if (random.NextDouble() < 0.5)
                paint.ImageFilter = SKImageFilter.CreateBlur(0.3f + 0.7f * (float)random.NextDouble(), 0.3f + 0.7f * (float)random.NextDouble());
            float x = margin;
            foreach (char c in text)
            {
                string glyph = c.ToString();
                float glyphScale = 0.9f + 0.2f * (float)random.NextDouble();
                float w = skFont.MeasureText(glyph) * glyphScale;
                if (c != ' ')
                {
                    canvas.Save();
                    float y = baseline - slope * x + size * 0.04f * (2 * (float)random.NextDouble() - 1);
                    canvas.Translate(x, y);
                    canvas.Skew(-shear, 0);
                    canvas.RotateDegrees(5 * (2 * (float)random.NextDouble() - 1));
                    canvas.Scale(glyphScale, glyphScale * (0.92f + 0.16f * (float)random.NextDouble()));
                    canvas.DrawText(glyph, 0, 0, skFont, paint);
                    canvas.Restore();
                }
                x += w + spacing + size * 0.03f * (2 * (float)random.NextDouble() - 1);
            }
        }

        float[] ink = Warp(bitmap.GetPixelSpan(), width, height, size, random);
        if (random.NextDouble() < 0.3 && ruledLines)
        {
            // A ruled line under the writing, paler than the pen.
            int row = Math.Clamp((int)Math.Round(baseline + size * 0.12 * random.NextDouble()), 0, height - 1);
            float level = 0.2f + 0.3f * (float)random.NextDouble();
            for (int i = 0; i < width; i++)
                ink[row * width + i] = Math.Max(ink[row * width + i], level);
        }
        return SyntheticPaper.Write(ink, width, height, random);
    }

    /// <summary>
    /// The ink (0 to 1) moved by a smooth random displacement: a sum of two long waves per axis, a few percent of the font
    /// size, so that strokes bend as a hand bends them without breaking.
    /// </summary>
    private static float[] Warp(ReadOnlySpan<byte> pixels, int width, int height, float size, Random random)
    {
        double amplitude = size * 0.05 * random.NextDouble();
        double[] k = [.. Enumerable.Range(0, 4).Select(_ => (0.5 + random.NextDouble()) * Math.Tau / (size * 1.5))];
        double[] phase = [.. Enumerable.Range(0, 4).Select(_ => random.NextDouble() * Math.Tau)];
        var ink = new float[width * height];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double sx = x + amplitude * Math.Sin(k[0] * y + phase[0]) * Math.Cos(k[1] * x + phase[1]);
                double sy = y + amplitude * Math.Sin(k[2] * x + phase[2]) * Math.Cos(k[3] * y + phase[3]);
                ink[y * width + x] = Bilinear(pixels, width, height, sx, sy) / 255f;
            }
        }
        return ink;
    }

    private static float Bilinear(ReadOnlySpan<byte> pixels, int width, int height, double x, double y)
    {
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
        float fx = (float)(x - x0), fy = (float)(y - y0);
        return (At(pixels, width, height, x0, y0) * (1 - fx) + At(pixels, width, height, x0 + 1, y0) * fx) * (1 - fy)
            + (At(pixels, width, height, x0, y0 + 1) * (1 - fx) + At(pixels, width, height, x0 + 1, y0 + 1) * fx) * fy;
    }

    private static float At(ReadOnlySpan<byte> pixels, int width, int height, int x, int y) =>
        x < 0 || y < 0 || x >= width || y >= height ? 0 : pixels[y * width + x];

    public void Dispose()
    {
        foreach (SKTypeface font in _fonts)
            font.Dispose();
    }
}
