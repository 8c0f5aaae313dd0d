using Hcr.MLNet.Native;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Text;

namespace Hcr.MLNet.Tests.Text;

/// <summary>
/// The text reader shipped inside the assembly (<see cref="HandwritingTextReader.LoadPretrained(Hcr.MLNet.Onnx.OnnxScoringOptions?)"/>):
/// it loads from nothing but the assembly, reads samples/text (words of a DHSD writer), reads the
/// same on ONNX Runtime as on its TorchSharp weights, and a saved copy reads the same again.
/// </summary>
public class PretrainedTextReaderTests
{
    /// <summary>
    /// Highest character error rates allowed on samples/text, far from what a broken pipeline (wrong normalisation,
    /// alphabet or weights) reads, which is next to nothing. The shipped reader has trained on this writer (every DHSD writer),
    /// so the word reads well; the page, whose first line was set small, reads worse. The bounds are kept as they were
    /// for the reader before, which had not seen the writer, so that they test the pipeline, not the training data.
    /// </summary>
    private const double MaxWordErrorRate = 0.25, MaxPageErrorRate = 0.4;

    /// <summary>samples/text/page.png, line by line (samples/text/README.md).</summary>
    private static readonly string[] PageLines =
    [
        "Weißenberger Straße Schillergäßchen",
        "Hönbacher Straße Jösigkstraße",
        "Rückerswinder Straße Kärrnerstraße",
    ];

    private static string Sample(string name) => Path.Combine(SharedData.RepositoryRoot, "samples", "text", name);

    [Fact]
    public void Reads_the_sample_page_line_by_line()
    {
        using HandwritingTextReader reader = HandwritingTextReader.LoadPretrained();
        TextReading reading = reader.Read(Sample("page.png"));
        Assert.Equal(PageLines.Length, reading.Lines.Count);
        TextEvaluation score = TextEvaluation.Score(reading.Lines.Select(l => l.Text).ToArray(), PageLines);
        Assert.True(score.CharacterErrorRate <= MaxPageErrorRate, $"read \"{reading.Text}\": CER {score.CharacterErrorRate:P1}");
        // The lines come top to bottom.
        for (int i = 1; i < reading.Lines.Count; i++)
            Assert.True(reading.Lines[i].Box.Y > reading.Lines[i - 1].Box.Y, "lines out of order");
    }

    [Fact]
    public void Reads_a_word_photo_and_its_torch_weights_read_the_same()
    {
        using HandwritingTextReader onnx = HandwritingTextReader.LoadPretrained();
        using HandwritingTextReader torch = HandwritingTextReader.LoadPretrained(ComputeDevice.Cpu);
        TextReading a = onnx.Read(Sample("word.png"));
        TextReading b = torch.Read(Sample("word.png"));
        Assert.Equal(b.Text, a.Text);
        Assert.Equal(b.Confidence, a.Confidence, 4);
        TextEvaluation score = TextEvaluation.Score([a.Text], ["Weißenberger Straße"]);
        Assert.True(score.CharacterErrorRate <= MaxWordErrorRate, $"read \"{a.Text}\": CER {score.CharacterErrorRate:P1}");
        Assert.Equal(torch.Alphabet.Characters, onnx.Alphabet.Characters);
        Assert.NotEmpty(torch.History);
    }

    [Fact]
    public void The_pretrained_reader_reads_with_its_language_model_unless_told_otherwise()
    {
        using HandwritingTextReader pretrained = HandwritingTextReader.LoadPretrained();
        Assert.Same(HandwritingTextReader.PretrainedLanguageModel, pretrained.DefaultReadOptions.LanguageModel);
        Assert.Equal(ReadOptions.DefaultLanguageModelWeight, pretrained.DefaultReadOptions.LanguageModelWeight);
        // It learned German street names and French prose.
        CharacterLanguageModel lm = HandwritingTextReader.PretrainedLanguageModel;
        Assert.True(lm.LogProbability("Hauptstraße") > lm.LogProbability("Hauptstrabe") + 2);
        Assert.True(lm.LogProbability("surnommée la") > lm.LogProbability("surnomnée la") + 2);
        // Options given to a call replace the defaults whole: greedy without the model reads differently here.
        Assert.NotEqual(pretrained.Read(Sample("page.png")).Text, pretrained.Read(Sample("page.png"), new ReadOptions()).Text);
        Assert.Throws<ArgumentNullException>(() => pretrained.DefaultReadOptions = null!);
        Assert.Throws<ArgumentOutOfRangeException>(() => pretrained.DefaultReadOptions = new ReadOptions { BeamWidth = 0 });
    }

    [Fact]
    public void A_saved_copy_reads_the_same_and_the_onnx_reader_cannot_be_saved()
    {
        using var dir = new TempDirectory();
        using (HandwritingTextReader torch = HandwritingTextReader.LoadPretrained(ComputeDevice.Cpu))
            torch.Save(dir.File("copy.hcrtext"));
        using HandwritingTextReader copy = HandwritingTextReader.Load(dir.File("copy.hcrtext"), ComputeDevice.Cpu);
        using HandwritingTextReader pretrained = HandwritingTextReader.LoadPretrained();
        // The file keeps the reader's options and language model: the copy reads as the pretrained reader does.
        Assert.Equal(pretrained.Read(Sample("page.png")).Text, copy.Read(Sample("page.png")).Text);
        Assert.Equal(pretrained.Read(Sample("page.png"), new ReadOptions()).Text, copy.Read(Sample("page.png"), new ReadOptions()).Text);
        Assert.Equal(HandwritingTextReader.PretrainedLanguageModel.LogProbability("Hauptstraße"), copy.DefaultReadOptions.LanguageModel!.LogProbability("Hauptstraße"));
        Assert.Throws<NotSupportedException>(() => pretrained.Save(dir.File("no.hcrtext")));
    }
}
