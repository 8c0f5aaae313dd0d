using Hcr.MLNet.Data;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.Synthesis;

namespace Hcr.MLNet.Text;

/// <summary>
/// Word images composed from single handwritten EMNIST characters, for more hands than a word data set has: each
/// character by a different writer of EMNIST, cropped to its ink, sized by its kind (capitals, x-height letters,
/// ascenders, descenders), spaced with overlap or gaps, on a wavering baseline, sheared, thinned, on paper with noise
/// and sometimes a ruled line. Umlauts get their dots drawn; ß is written "ss" and parentheses are left out (EMNIST has
/// neither). The image then goes through the same <see cref="LineNormalizer"/> as a photo.
/// </summary>
internal sealed class SyntheticWords
{
    /// <summary>Height of a capital on the canvas, in pixels: the other sizes are fractions of it.</summary>
    private const double CapHeight = 40;

    /// <summary>An EMNIST pixel at or above this level is ink when a character is cropped.</summary>
    private const byte InkThreshold = 40;

    private const string XHeightLetters = "acemnorsuvwxz";
    private const string AscenderLetters = "bdfhkl";
    private const string DescenderLetters = "gpqy";

    /// <summary>Characters drawn without an EMNIST image.</summary>
    private const string DrawnMarks = " -.";

    private readonly EmnistDataset _characters;
    private readonly Dictionary<char, int[]> _imagesOf;

    /// <param name="characters">A case-sensitive EMNIST split (ByClass): ByMerge and Balanced merge some lower-case letters into capitals.</param>
    public SyntheticWords(EmnistDataset characters)
    {
        _characters = characters;
        _imagesOf = Enumerable.Range(0, characters.Count).GroupBy(characters.GetCharacter)
            .ToDictionary(g => g.Key, g => g.ToArray());
    }

    /// <summary>
    /// <paramref name="text"/> as this composer writes it (ß as "ss", no parentheses), or null when it holds a
    /// character it has no image of.
    /// </summary>
    public string? Writable(string text)
    {
        string written = text.Replace("ß", "ss", StringComparison.Ordinal).Replace("(", "", StringComparison.Ordinal)
            .Replace(")", "", StringComparison.Ordinal);
        written = string.Join(' ', written.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return written.Length > 0 && written.All(c => DrawnMarks.Contains(c) || _imagesOf.ContainsKey(BaseLetter(c))) ? written : null;
    }

    /// <summary>
    /// <paramref name="count"/> texts to write: whole texts of <paramref name="vocabulary"/> and new lines of one to three
    /// of its words, so that words meet neighbours they never had in the data.
    /// </summary>
    public string[] Texts(IEnumerable<string> vocabulary, int count, Random random)
    {
        string[] texts = vocabulary.Select(Writable).OfType<string>().Distinct().ToArray();
        if (texts.Length == 0)
            throw new ArgumentException("None of the training texts can be written with EMNIST's characters.", nameof(vocabulary));
        string[] words = texts.SelectMany(t => t.Split(' ')).Distinct().ToArray();
        var result = new string[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = random.NextDouble() < 0.5
                ? texts[random.Next(texts.Length)]
                : string.Join(' ', Enumerable.Range(0, 1 + random.Next(3)).Select(_ => words[random.Next(words.Length)]));
        }
        return result;
    }

    /// <summary>
    /// <paramref name="count"/> normalised strips of texts from <paramref name="vocabulary"/> (see <see cref="Texts"/>),
    /// composed on several threads; the same <paramref name="seed"/> gives the same strips.
    /// </summary>
    public TextSample[] Samples(IEnumerable<string> vocabulary, int count, TextAlphabet alphabet, int maxWidth, int seed)
    {
        var random = new Random(seed);
        string[] texts = Texts(vocabulary, count, random);
        int[] seeds = texts.Select(_ => random.Next()).ToArray();
        var samples = new TextSample[count];
        Parallel.For(0, count, i =>
        {
            GreyImage image = Compose(texts[i], new Random(seeds[i]));
            NormalizedLine line = LineNormalizer.Normalize(image, TextStrip.Height, maxWidth, $"synthetic word {i} ({texts[i]})");
            samples[i] = new TextSample(line, alphabet.Encode(texts[i]), texts[i]);
        });
        return samples;
    }

    /// <summary>
    /// A grey image (paper bright, as <see cref="GreyConversion.ToGrey(Microsoft.ML.Data.MLImage)"/> gives) of
    /// <paramref name="text"/> (a <see cref="Writable"/> text) in a hand made up from EMNIST's writers.
    /// </summary>
    public GreyImage Compose(string text, Random random)
    {
        // Ink bright on zero while composing; paper and pen come last.
        double height = CapHeight * (0.85 + 0.3 * random.NextDouble());
        double shear = 0.35 * (2 * random.NextDouble() - 1);
        double slope = 0.04 * (2 * random.NextDouble() - 1);
        double thinning = 0.5 * random.NextDouble();
        double widthScale = 0.8 + 0.4 * random.NextDouble();
        var glyphs = new List<Glyph>(text.Length);
        double x = 0;
        foreach (char c in text)
        {
            if (c == ' ')
            {
                x += height * (0.45 + 0.45 * random.NextDouble());
                continue;
            }
            double gap = height * (-0.1 + 0.25 * random.NextDouble());
            double jitter = height * 0.04 * (2 * random.NextDouble() - 1);
            Glyph glyph = Place(c, x + (glyphs.Count == 0 ? 0 : gap), jitter, height, widthScale, random);
            glyphs.Add(glyph);
            x = glyph.Left + glyph.Width;
        }

        double lean = Math.Abs(shear) * 2 * height;
        double margin = 0.4 * height;
        int width = (int)Math.Ceiling(x + lean + 2 * margin);
        int canvasHeight = (int)Math.Ceiling(3 * height + Math.Abs(slope) * x);
        // The baseline under a glyph centred at c is baseline − slope·c: a rising line (slope > 0) starts lower, so
        // that its end keeps room above for capitals and dots, and a falling one ends lower, within the canvas.
        double baseline = 2 * height + (slope > 0 ? slope * x : 0);
        var ink = new float[width * canvasHeight];
        foreach (Glyph glyph in glyphs)
            Draw(glyph, ink, width, canvasHeight, margin + lean / 2, baseline - slope * (glyph.Left + glyph.Width / 2), shear, thinning);

        if (random.NextDouble() < 0.3)
        {
            // A ruled line under the writing, paler than the pen.
            int row = (int)Math.Round(baseline + height * 0.15 * random.NextDouble());
            float level = 0.2f + 0.3f * (float)random.NextDouble();
            for (int thickness = 0; thickness < 1 + random.Next(2) && row + thickness < canvasHeight; thickness++)
            {
                for (int i = 0; i < width; i++)
                    ink[(row + thickness) * width + i] = Math.Max(ink[(row + thickness) * width + i], level);
            }
        }

        return SyntheticPaper.Write(ink, width, canvasHeight, random);
    }

    /// <summary>Where and how large character <paramref name="c"/> goes, and which EMNIST image writes it.</summary>
    private Glyph Place(char c, double left, double jitter, double height, double widthScale, Random random)
    {
        double size = height * (0.92 + 0.16 * random.NextDouble());
        switch (c)
        {
            case '-':
                return new Glyph(-1, left, 0.35 * size, 0.07 * size, 0.38 * size + jitter, Mark: true);
            case '.':
                return new Glyph(-1, left, 0.09 * size, 0.09 * size, jitter, Mark: true);
        }
        char letter = BaseLetter(c);
        int[] images = _imagesOf[letter];
        int image = images[random.Next(images.Length)];
        (double glyphHeight, double bottom) = letter switch
        {
            _ when XHeightLetters.Contains(letter) => (0.6 * size, 0.0),
            _ when AscenderLetters.Contains(letter) => (size, 0.0),
            _ when DescenderLetters.Contains(letter) => (0.95 * size, -0.38 * size),
            't' => (0.8 * size, 0.0),
            'i' => (0.8 * size, 0.0),
            'j' => (1.15 * size, -0.38 * size),
            _ => (size, 0.0),
        };
        bool umlaut = letter != c;
        if (umlaut && char.IsUpper(c))
            glyphHeight *= 0.85;
        InkCrop crop = InkBox(_characters.GetImage(image));
        double scale = glyphHeight / (crop.Y1 - crop.Y0);
        double width = Math.Max(0.12 * size, (crop.X1 - crop.X0) * scale * widthScale);
        return new Glyph(image, left, width, glyphHeight, bottom + jitter, Mark: false, Dots: umlaut, Crop: crop);
    }

    private static char BaseLetter(char c) => c switch
    {
        'ä' => 'a',
        'ö' => 'o',
        'ü' => 'u',
        'Ä' => 'A',
        'Ö' => 'O',
        'Ü' => 'U',
        _ => c,
    };

    /// <summary>Draws <paramref name="glyph"/> into <paramref name="ink"/>, its bottom <see cref="Glyph.Bottom"/> above the baseline.</summary>
    private void Draw(Glyph glyph, float[] ink, int width, int height, double offsetX, double baseline, double shear, double thinning)
    {
        double top = baseline - glyph.Bottom - glyph.Height;
        double left = offsetX + glyph.Left;
        if (glyph.Mark)
        {
            Fill(ink, width, height, left, top, glyph.Width, glyph.Height, baseline, shear);
            return;
        }
        ReadOnlySpan<byte> pixels = _characters.GetImage(glyph.Image);
        (int x0, int y0, int x1, int y1) = glyph.Crop;
        double sx = (x1 - x0) / glyph.Width, sy = (y1 - y0) / glyph.Height;
        double lean = Math.Abs(shear) * glyph.Height;
        int fromX = (int)Math.Floor(left - lean - 1), toX = (int)Math.Ceiling(left + glyph.Width + lean + 1);
        int fromY = (int)Math.Floor(top - 1), toY = (int)Math.Ceiling(top + glyph.Height + 1);
        for (int y = Math.Max(0, fromY); y < Math.Min(height, toY); y++)
        {
            double shift = shear * (baseline - y);
            double v = y0 + (y + 0.5 - top) * sy - 0.5;
            for (int x = Math.Max(0, fromX); x < Math.Min(width, toX); x++)
            {
                double u = x0 + (x + 0.5 - shift - left) * sx - 0.5;
                float value = Sample(pixels, u, v) / 255f;
                value = (float)Math.Clamp((value - thinning) / (1 - thinning), 0, 1);
                ink[y * width + x] = Math.Max(ink[y * width + x], value);
            }
        }
        if (glyph.Dots)
        {
            double dot = Math.Max(2, 0.1 * CapHeight);
            double dotTop = top - 2.2 * dot;
            Fill(ink, width, height, left + 0.2 * glyph.Width, dotTop, dot, dot, baseline, shear);
            Fill(ink, width, height, left + 0.8 * glyph.Width - dot, dotTop, dot, dot, baseline, shear);
        }
    }

    /// <summary>A solid, sheared rectangle of ink: a hyphen, a period, an umlaut's dot.</summary>
    private static void Fill(float[] ink, int width, int height, double left, double top, double w, double h, double baseline, double shear)
    {
        for (int y = Math.Max(0, (int)Math.Floor(top)); y < Math.Min(height, (int)Math.Ceiling(top + h)); y++)
        {
            double shift = shear * (baseline - y);
            for (int x = Math.Max(0, (int)Math.Floor(left + shift)); x < Math.Min(width, (int)Math.Ceiling(left + shift + w)); x++)
                ink[y * width + x] = 1f;
        }
    }

    /// <summary>The box of an EMNIST image's ink (exclusive right and bottom); the whole image when it has none.</summary>
    private static InkCrop InkBox(ReadOnlySpan<byte> pixels)
    {
        int side = EmnistDataset.ImageSize;
        int x0 = side, y0 = side, x1 = 0, y1 = 0;
        for (int y = 0; y < side; y++)
        {
            for (int x = 0; x < side; x++)
            {
                if (pixels[y * side + x] < InkThreshold)
                    continue;
                x0 = Math.Min(x0, x);
                y0 = Math.Min(y0, y);
                x1 = Math.Max(x1, x + 1);
                y1 = Math.Max(y1, y + 1);
            }
        }
        return x1 > x0 && y1 > y0 ? new InkCrop(x0, y0, x1, y1) : new InkCrop(0, 0, side, side);
    }

    private static float Sample(ReadOnlySpan<byte> pixels, double x, double y)
    {
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
        double fx = x - x0, fy = y - y0;
        return (float)((1 - fy) * ((1 - fx) * Pixel(pixels, x0, y0) + fx * Pixel(pixels, x0 + 1, y0))
            + fy * ((1 - fx) * Pixel(pixels, x0, y0 + 1) + fx * Pixel(pixels, x0 + 1, y0 + 1)));
    }

    private static byte Pixel(ReadOnlySpan<byte> pixels, int x, int y)
    {
        int side = EmnistDataset.ImageSize;
        return x >= 0 && x < side && y >= 0 && y < side ? pixels[y * side + x] : (byte)0;
    }

    /// <summary>
    /// One character's place: <paramref name="Left"/> and <paramref name="Width"/> along the line before shearing,
    /// <paramref name="Height"/>, <paramref name="Bottom"/> above the baseline (negative for descenders), and
    /// <paramref name="Crop"/>, the box of the EMNIST image's ink it is drawn from (found once, when the glyph is placed).
    /// </summary>
    private sealed record Glyph(int Image, double Left, double Width, double Height, double Bottom, bool Mark, bool Dots = false, InkCrop Crop = default);

    /// <summary>A box in an EMNIST image, right and bottom exclusive.</summary>
    private readonly record struct InkCrop(int X0, int Y0, int X1, int Y1);
}
