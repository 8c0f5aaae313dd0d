using Hcr.MLNet.Data;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Text;

namespace Hcr.MLNet.Tests.Text;

/// <summary>Word images composed from single characters: what they spell, where each kind of letter sits, and that training takes them.</summary>
public class SyntheticWordsTests
{
    private const string Classes = "AOSaegorst";

    private static readonly EmnistDataset Characters = SyntheticGlyphs.Create(perClass: 6, Classes);

    [Theory]
    [InlineData("Straße", "Strasse")]
    [InlineData("Ostrasse (Ost)", "Ostrasse Ost")]
    [InlineData("Ära-Ost.", "Ära-Ost.")]
    [InlineData("Rosa", null)] // no R among the characters
    [InlineData("()", null)]
    public void TextsAreWrittenWithWhatTheCharactersHave(string text, string? written) =>
        Assert.Equal(written, new SyntheticWords(Characters).Writable(text));

    [Fact]
    public void DescendersReachBelowTheBaselineAndSmallLettersStayBelowCapitals()
    {
        // Every character the same box, so that only its kind decides its size and place; one character per image, so
        // that the baseline's slope moves nothing much.
        var words = new SyntheticWords(Boxes("Aag"));
        for (int seed = 1; seed <= 5; seed++)
        {
            // The same seed draws the same size and jitter for each.
            (int topCapital, int bottomCapital) = InkRows(words.Compose("A", new Random(seed)));
            (int topSmall, int bottomSmall) = InkRows(words.Compose("a", new Random(seed)));
            (int topDescender, int bottomDescender) = InkRows(words.Compose("g", new Random(seed)));
            (int topUmlaut, _) = InkRows(words.Compose("ä", new Random(seed)));
            Assert.InRange(bottomSmall - bottomCapital, -3, 3);
            Assert.True(topSmall > topCapital + 8, $"seed {seed}: a starts at row {topSmall}, A at {topCapital}");
            Assert.True(bottomDescender > bottomSmall + 8, $"seed {seed}: g ends at row {bottomDescender}, a at {bottomSmall}");
            Assert.InRange(topDescender - topSmall, -3, 3);
            Assert.True(topUmlaut < topSmall - 3, $"seed {seed}: ä starts at row {topUmlaut}, a at {topSmall}");
        }
    }

    [Fact]
    public void LongLinesStayWithinTheImageWhicheverWayTheirBaselineSlopes()
    {
        var words = new SyntheticWords(Characters);
        // Long enough for the steepest slope to move the baseline by more than a descender's depth.
        string line = words.Writable("Ostrasse gross gross Osterstrasse Strasse")!;
        for (int seed = 1; seed <= 30; seed++)
        {
            GreyImage image = words.Compose(line, new Random(seed));
            (int top, int bottom) = InkRows(image);
            Assert.True(top > 0 && bottom < image.Height - 1, $"seed {seed}: ink from row {top} to {bottom} of {image.Height}: cut off");
        }
    }

    [Fact]
    public void SamplesSpellTheirLabelsAndTheSameSeedComposesTheSameStrips()
    {
        var words = new SyntheticWords(Characters);
        var alphabet = TextAlphabet.FromTexts(["Ostrasse", "Rosa", "Strasse"]);
        string[] vocabulary = ["Ostrasse", "Gasse", "Rosa", "Straße"];
        TextSample[] first = words.Samples(vocabulary, 12, alphabet, 1024, seed: 4);
        TextSample[] again = words.Samples(vocabulary, 12, alphabet, 1024, seed: 4);
        TextSample[] other = words.Samples(vocabulary, 12, alphabet, 1024, seed: 5);
        Assert.Equal(12, first.Length);
        string[] writable = ["Ostrasse", "Strasse"]; // Gasse has a G and Rosa an R, which the characters lack
        foreach (TextSample sample in first)
        {
            Assert.All(sample.Text.Split(' '), word => Assert.Contains(word, writable));
            Assert.Equal(alphabet.Encode(sample.Text), sample.Labels);
            Assert.Equal(TextStrip.Height, sample.Line.Height);
            Assert.Contains(sample.Line.Pixels, p => p > 0.5f);
        }
        Assert.Equal(first.Select(s => s.Line.Pixels), again.Select(s => s.Line.Pixels));
        Assert.NotEqual(first.Select(s => s.Line.Pixels), other.Select(s => s.Line.Pixels));
        // Lines of several words make wider strips than single words.
        double MeanWidth(bool severalWords) => first.Concat(other).Where(s => s.Text.Contains(' ') == severalWords).Average(s => s.Line.Width);
        Assert.True(MeanWidth(true) > 1.5 * MeanWidth(false), $"{MeanWidth(true)} vs {MeanWidth(false)}");
    }

    [Fact]
    public void TrainingTakesTheComposedWordsBesideTheImages()
    {
        using var dir = new TempDirectory();
        WordImageSet images = GlyphWords.Write(dir, 16, seed: 1);
        EmnistDataset glyphs = SyntheticGlyphs.Create(perClass: 4, GlyphWords.Alphabet);
        int Batches(Func<HandwritingTextReaderBuilder, HandwritingTextReaderBuilder> configure)
        {
            var batches = new List<int>();
            using HandwritingTextReader reader = configure(HandwritingTextReader.Create().WithWordImages(images))
                .WithEpochs(1).WithBatchSize(8)
                .ReportTo(new RecordingProgress<TextTrainingProgress>(p => batches.Add(p.Batches)))
                .Train();
            return batches.Max();
        }
        Assert.Equal(2, Batches(b => b));
        Assert.Equal(4, Batches(b => b.WithSyntheticEmnist(glyphs, words: 16)));
    }

    [Fact]
    public void BadSyntheticSettingsAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HandwritingTextReader.Create().WithSyntheticEmnist(Characters, words: 0));
        Assert.Throws<ArgumentNullException>(() => HandwritingTextReader.Create().WithSyntheticEmnist((EmnistDataset)null!));
        using var dir = new TempDirectory();
        string missing = Path.Combine(dir.Path, "no-emnist-here");
        var error = Assert.Throws<DirectoryNotFoundException>(() => HandwritingTextReader.Create()
            .WithWordImages(GlyphWords.Write(dir, 4, seed: 1)).WithSyntheticEmnist(missing).Train());
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    /// <summary>The same box image for each of <paramref name="classes"/>.</summary>
    private static EmnistDataset Boxes(string classes)
    {
        EmnistDataset drawn = SyntheticGlyphs.Create(perClass: 1, "HVDO"); // O: a hollow box
        byte[] box = drawn.GetImage(3).ToArray();
        byte[] pixels = Enumerable.Range(0, classes.Length).SelectMany(_ => box).ToArray();
        return EmnistDataset.Create(pixels, Enumerable.Range(0, classes.Length).ToArray(), classes.ToCharArray());
    }

    /// <summary>First and last rows holding pen-dark pixels (darker than a ruled line can be).</summary>
    private static (int Top, int Bottom) InkRows(GreyImage image)
    {
        float darkest = image.Data.Min(), paper = image.Data.Max();
        float threshold = darkest + 0.3f * (paper - darkest);
        int top = -1, bottom = -1;
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                if (image[x, y] >= threshold)
                    continue;
                if (top < 0)
                    top = y;
                bottom = y;
                break;
            }
        }
        return (top, bottom);
    }
}
