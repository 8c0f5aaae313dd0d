using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Text;

namespace Hcr.MLNet.Tests.Text;

/// <summary>Words and lines written in the handwriting fonts of ../shared: every text readable as written, no two glyphs alike.</summary>
public class FontWordsTests
{
    private static readonly string[] Texts = ["Äußere Straße", "Élève à l'école « œuvre »", "Kirchfährendorf (Nord)"];

    [DataFact(SharedDataSet.Fonts)]
    public void Every_text_becomes_a_strip_whose_width_follows_its_length_and_the_same_seed_draws_the_same()
    {
        using FontWords fonts = FontWords.Load(SharedData.FontsDirectory);
        Assert.True(fonts.Fonts.Count >= 30, $"{fonts.Fonts.Count} fonts");
        var alphabet = TextAlphabet.FromTexts(Texts);

        TextSample[] samples = fonts.Samples(Texts, 60, alphabet, 1024, seed: 3);
        TextSample[] again = fonts.Samples(Texts, 60, alphabet, 1024, seed: 3);

        Assert.Equal(60, samples.Length);
        Assert.All(samples, s => Assert.Equal(s.Text, alphabet.Decode(s.Labels)));
        Assert.All(samples, s => Assert.Equal(TextStrip.Height, s.Line.Height));
        Assert.All(samples, s => Assert.InRange(s.Line.Pixels.Average(), 0.02, 0.6));  // ink, not an empty or black strip
        Assert.Equal(samples.Select(s => s.Line.Pixels), again.Select(s => s.Line.Pixels));
        // Whole texts and new combinations of their words, so strips of different lengths: the longer text is wider.
        double Width(Func<string, bool> which) => samples.Where(s => which(s.Text)).Average(s => s.Line.Width);
        Assert.True(Width(t => t.Length > 20) > 1.5 * Width(t => t.Length < 12));
    }

    [DataFact(SharedDataSet.Fonts)]
    public void The_same_text_in_the_same_font_is_never_drawn_twice_alike()
    {
        using FontWords fonts = FontWords.Load(SharedData.FontsDirectory);
        var first = fonts.Compose("Straße", 0, new Random(1));
        var second = fonts.Compose("Straße", 0, new Random(2));
        Assert.False(first.Width == second.Width && first.Data.SequenceEqual(second.Data));
        SavePicture(first, "font-word-1.png");
        SavePicture(second, "font-word-2.png");
    }

    [Fact]
    public void A_folder_without_fonts_is_refused_with_its_name()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("readme.txt"), "no fonts here");
        var e = Assert.Throws<InvalidDataException>(() => FontWords.Load(dir.Path));
        Assert.Contains(dir.Path, e.Message, StringComparison.Ordinal);
        Assert.Throws<DirectoryNotFoundException>(() => FontWords.Load(dir.File("missing")));
    }

    /// <summary>With HCR_TEST_PICTURES set, writes <paramref name="image"/> there, to look at what the fonts make.</summary>
    private static void SavePicture(Hcr.MLNet.Imaging.GreyImage image, string name)
    {
        if (Environment.GetEnvironmentVariable("HCR_TEST_PICTURES") is not { Length: > 0 } folder)
            return;
        byte[] grey = image.Data.Select(v => (byte)Math.Clamp(v, 0, 255)).ToArray();
        File.WriteAllBytes(Path.Combine(folder, name), TestImages.Encode(TestImages.GreyToRgba(grey), image.Width, image.Height, SkiaSharp.SKEncodedImageFormat.Png));
    }
}
