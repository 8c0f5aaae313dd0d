using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Text;
using SkiaSharp;

namespace Hcr.MLNet.Tests.Text;

/// <summary>
/// Word images drawn from three made-up glyphs (a tall bar, a hollow box, a low bar), dark on white, so that tests can
/// train and read a text reader without real data: each glyph 20 pixels wide in a 48-pixel-high image.
/// </summary>
internal static class GlyphWords
{
    public const string Alphabet = "abc";
    private const int Height = 48, GlyphWidth = 20, Side = 8;

    public static byte[] Png(string text)
    {
        int width = Side * 2 + GlyphWidth * text.Length;
        var grey = Enumerable.Repeat((byte)255, width * Height).ToArray();
        void Fill(int x0, int y0, int x1, int y1)
        {
            for (int y = y0; y < y1; y++)
            {
                for (int x = x0; x < x1; x++)
                    grey[y * width + x] = 20;
            }
        }
        for (int i = 0; i < text.Length; i++)
        {
            int x = Side + i * GlyphWidth;
            switch (text[i])
            {
                case 'a':
                    Fill(x + 8, 8, x + 12, 40);
                    break;
                case 'b':
                    Fill(x + 3, 16, x + 17, 20);
                    Fill(x + 3, 36, x + 17, 40);
                    Fill(x + 3, 16, x + 7, 40);
                    Fill(x + 13, 16, x + 17, 40);
                    break;
                default:
                    Fill(x + 3, 34, x + 17, 40);
                    break;
            }
        }
        return TestImages.Encode(TestImages.GreyToRgba(grey), width, Height, SKEncodedImageFormat.Png);
    }

    /// <summary><paramref name="count"/> random words of 2 to 5 glyphs by 2 writers, written to <paramref name="dir"/> with a data.csv.</summary>
    public static WordImageSet Write(TempDirectory dir, int count, int seed)
    {
        var random = new Random(seed);
        var images = new List<WordImage>();
        for (int i = 0; i < count; i++)
        {
            string text = new(Enumerable.Range(0, random.Next(2, 6)).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray());
            string path = dir.File($"w{i}.png");
            File.WriteAllBytes(path, Png(text));
            images.Add(new WordImage(path, text, (i % 2).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        return WordImageSet.FromImages(images, dir.Path);
    }
}
