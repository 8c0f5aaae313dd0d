using Hcr.MLNet.Imaging;
using SkiaSharp;

namespace Hcr.MLNet.Text;

/// <summary>
/// Word and line images written in handwriting fonts, each font one more "writer" than the real data has. A font
/// writes every "e" alike, so each glyph is varied on its own (size, rotation, baseline, spacing) and the whole
/// text too (slant, slope, stroke weight, a smooth elastic warp, blur), then put on paper with a pen shade, noise
/// and sometimes a ruled line, and sent through the same <see cref="LineNormalizer"/> as a photo. Unlike EMNIST's
/// characters, fonts have ß, accents and punctuation, so every text of a Latin-1 alphabet can be written.
/// </summary>
internal sealed class FontWords : IDisposable
{
    /// <summary>The font size on the canvas, in pixels; the rest scales with it.</summary>
    private const float FontSize = 44;

    private readonly SKTypeface[] _fonts;
    private readonly string[] _names;

    private FontWords(SKTypeface[] fonts, string[] names)
    {
        _fonts = fonts;
        _names = names;
    }

    /// <summary>The fonts loaded, by file name.</summary>
    public IReadOnlyList<string> Fonts => _names;

    /// <summary>Every TrueType or OpenType font in <paramref name="folder"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The folder holds no font SkiaSharp can read; the message names it.</exception>
    public static FontWords Load(string folder)
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
            throw new InvalidDataException($"{Path.GetFullPath(folder)}: no font (.ttf or .otf) that can be read; synthetic text needs at least one handwriting font.");
        return new FontWords([.. fonts], [.. names]);
    }

    private static bool IsFont(string file) =>
        Path.GetExtension(file).ToLowerInvariant() is ".ttf" or ".otf";

    /// <summary>
    /// <paramref name="count"/> normalised strips: whole texts of <paramref name="vocabulary"/> and new lines of one to three
    /// of its words, each in a font that has all its characters; the same <paramref name="seed"/> gives the same strips.
    /// </summary>
    /// <exception cref="ArgumentException">No text of <paramref name="vocabulary"/> can be written in any of the fonts.</exception>
    public TextSample[] Samples(IEnumerable<string> vocabulary, int count, TextAlphabet alphabet, int maxWidth, int seed)
    {
        var random = new Random(seed);
        string[] texts = vocabulary.Where(t => t.Trim().Length > 0).Distinct().ToArray();
        string[] words = texts.SelectMany(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Distinct().ToArray();
        if (words.Length == 0)
            throw new ArgumentException("There are no texts to write.", nameof(vocabulary));
        var chosen = new (string Text, int Font, int Seed)[count];
        for (int i = 0; i < count; i++)
        {
            string text = random.NextDouble() < 0.5
                ? texts[random.Next(texts.Length)]
                : string.Join(' ', Enumerable.Range(0, 1 + random.Next(3)).Select(_ => words[random.Next(words.Length)]));
            chosen[i] = (text, random.Next(_fonts.Length), random.Next());
        }
        var samples = new TextSample?[count];
        Parallel.For(0, count, i =>
        {
            (string text, int first, int glyphSeed) = chosen[i];
            // The first font that has every character; a text no font can write is left out.
            for (int k = 0; k < _fonts.Length; k++)
            {
                int font = (first + k) % _fonts.Length;
                if (!CanWrite(font, text))
                    continue;
                GreyImage image = Compose(text, font, new Random(glyphSeed));
                NormalizedLine line = LineNormalizer.Normalize(image, TextStrip.Height, maxWidth, $"font word {i} ({text}, {_names[font]})");
                samples[i] = new TextSample(line, alphabet.Encode(text), text);
                break;
            }
        });
        TextSample[] written = samples.OfType<TextSample>().ToArray();
        if (written.Length == 0)
            throw new ArgumentException("None of the training texts can be written in the fonts given.", nameof(vocabulary));
        return written;
    }

    private bool CanWrite(int font, string text)
    {
        using var skFont = new SKFont(_fonts[font], FontSize);
        return skFont.ContainsGlyphs(text.Replace(" ", "", StringComparison.Ordinal));
    }

    /// <summary>A grey image (paper bright) of <paramref name="text"/> in font <paramref name="font"/>, varied by <paramref name="random"/>.</summary>
    public GreyImage Compose(string text, int font, Random random)
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
        if (random.NextDouble() < 0.3)
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
