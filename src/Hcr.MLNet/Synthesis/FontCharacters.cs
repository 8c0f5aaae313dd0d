using Hcr.MLNet.Data;
using Hcr.MLNet.Imaging;
using SkiaSharp;

namespace Hcr.MLNet.Synthesis;

/// <summary>
/// Character tiles for the recognizer written in handwriting fonts and then photographed: each character drawn as
/// <see cref="HandwritingFonts"/> draws text (glyph, warp, pen, paper), lit unevenly, taken small and saved as a JPEG,
/// as a phone photo of a character on paper is, then normalised by the recognizer's own photo path
/// (<see cref="InkNormalizer"/>). The network so trains on what photos become, in hands EMNIST does not have.
/// </summary>
internal static class FontCharacters
{
    /// <summary>Tries per tile before a character is given up on (a draw can leave too little ink to find).</summary>
    private const int Attempts = 4;

    /// <summary>
    /// <paramref name="perClass"/> tiles of every class of <paramref name="classes"/>, each written in a font that has the
    /// character; the same <paramref name="seed"/> gives the same tiles. A capital whose small letter has no class of its
    /// own (EMNIST's merged classes: C and c, O and o, …) is written in either case, as the class holds both.
    /// </summary>
    /// <exception cref="ArgumentException">A class can be written in none of the fonts.</exception>
    public static EmnistDataset Render(HandwritingFonts fonts, IReadOnlyList<char> classes, int perClass, InkNormalizationOptions preprocessing, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perClass);
        string[][] forms = classes.Select(c => Forms(c, classes)).ToArray();
        int[][] writers = new int[classes.Count][];
        for (int k = 0; k < classes.Count; k++)
        {
            writers[k] = Enumerable.Range(0, fonts.Fonts.Count).Where(f => forms[k].All(form => fonts.CanWrite(f, form))).ToArray();
            if (writers[k].Length == 0)
                throw new ArgumentException($"No font of the {fonts.Fonts.Count} given writes '{classes[k]}'; synthetic characters need every class.", nameof(fonts));
        }

        int count = perClass * classes.Count;
        var pixels = new byte[count * EmnistDataset.PixelsPerImage];
        var labels = new int[count];
        var seeds = new Random(seed);
        int[] tileSeeds = Enumerable.Range(0, count).Select(_ => seeds.Next()).ToArray();
        var normalizer = new InkNormalizer(preprocessing);
        var kept = new bool[count];
        Parallel.For(0, count, i =>
        {
            int k = i % classes.Count;
            labels[i] = k;
            var random = new Random(tileSeeds[i]);
            for (int attempt = 0; attempt < Attempts && !kept[i]; attempt++)
            {
                string form = forms[k][random.Next(forms[k].Length)];
                int font = writers[k][random.Next(writers[k].Length)];
                GreyImage photo = Photograph(fonts.Compose(form, font, random, ruledLines: false), random);
                try
                {
                    NormalizedCharacter tile = normalizer.Normalize(photo, $"'{form}' in {fonts.Fonts[font]}");
                    tile.Pixels.CopyTo(pixels.AsSpan(i * EmnistDataset.PixelsPerImage, EmnistDataset.PixelsPerImage));
                    kept[i] = true;
                }
                catch (UnusableImageException)
                {
                    // Too faint or too small after the photo's degradations: drawn again.
                }
            }
        });
        int[] used = Enumerable.Range(0, count).Where(i => kept[i]).ToArray();
        var dataset = EmnistDataset.Create(pixels, labels, classes, $"{count:N0} characters in {fonts.Fonts.Count} handwriting fonts");
        return used.Length == count ? dataset : dataset.Subset(used);
    }

    /// <summary>The characters a class is written as: itself, and its small letter when that has no class of its own.</summary>
    internal static string[] Forms(char c, IReadOnlyList<char> classes)
    {
        char lower = char.ToLowerInvariant(c);
        return char.IsUpper(c) && lower != c && !classes.Contains(lower) ? [c.ToString(), lower.ToString()] : [c.ToString()];
    }

    /// <summary>
    /// <paramref name="image"/> (paper bright) as a phone photo of it: light falling off across the page, the character taken
    /// at 40 to 120 pixels on the image's long side (the character is about half of it), and half the time saved as a
    /// JPEG of middling quality.
    /// </summary>
    internal static GreyImage Photograph(GreyImage image, Random random)
    {
        // Light: a linear fall-off in a random direction, to as low as 70% at one side.
        double angle = random.NextDouble() * Math.Tau, depth = 0.3 * random.NextDouble();
        double cos = Math.Cos(angle) / image.Width, sin = Math.Sin(angle) / image.Height;
        var lit = new byte[image.Data.Length];
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                double along = Math.Clamp(0.5 + (x - image.Width / 2.0) * cos + (y - image.Height / 2.0) * sin, 0, 1);
                lit[y * image.Width + x] = (byte)Math.Clamp(image.Data[y * image.Width + x] * (1 - depth * along), 0, 255);
            }
        }

        double side = 40 + 80 * random.NextDouble();
        double scale = Math.Min(1, side / Math.Max(image.Width, image.Height));
        int width = Math.Max(8, (int)Math.Round(image.Width * scale)), height = Math.Max(8, (int)Math.Round(image.Height * scale));
        using var source = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Gray8, SKAlphaType.Opaque));
        lit.CopyTo(source.GetPixelSpan());
        using SKBitmap small = source.Resize(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque),
            new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        if (random.NextDouble() < 0.5)
        {
            using SKData jpeg = small.Encode(SKEncodedImageFormat.Jpeg, 40 + random.Next(50));
            using SKBitmap read = SKBitmap.Decode(jpeg);
            using SKBitmap decoded = read.Copy(SKColorType.Gray8);
            return GreyImage.FromBytes(decoded.GetPixelSpan(), decoded.Width, decoded.Height);
        }
        return GreyImage.FromBytes(small.GetPixelSpan(), width, height);
    }
}
