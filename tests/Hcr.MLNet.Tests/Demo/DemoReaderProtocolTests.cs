using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Tests.Text;

namespace Hcr.MLNet.Tests.Demo;

/// <summary>The demo's text-reader commands meet their corpora: splits by writer, and a bad output path before any training.</summary>
public class DemoReaderProtocolTests(DemoReaderFixture fixture) : IClassFixture<DemoReaderFixture>
{
    /// <summary>A data.csv of drawn glyph words by <paramref name="writers"/> writers, <paramref name="perWriter"/> words each.</summary>
    internal static string Corpus(TempDirectory dir, string name, int writers, int perWriter = 2)
    {
        string folder = dir.File(name);
        Directory.CreateDirectory(folder);
        var lines = new List<string> { "file_name,text,writer_id" };
        for (int w = 0; w < writers; w++)
        {
            for (int i = 0; i < perWriter; i++)
            {
                string file = $"{w}_{i}.png", text = i % 2 == 0 ? "abc" : "cab";
                File.WriteAllBytes(Path.Combine(folder, file), GlyphWords.Png(text));
                lines.Add($"{file},{text},{name}_{w}");
            }
        }
        File.WriteAllLines(Path.Combine(folder, "data.csv"), lines);
        return folder;
    }

    [Fact]
    public void Train_reader_refuses_an_output_path_it_cannot_write_before_it_trains()
    {
        using var dir = new TempDirectory();
        string corpus = Corpus(dir, "words", 4);

        var result = DemoProcess.Run(dir.Path, "train-reader", "--data", corpus, "--epochs", "1", "-o", "/proc/nope/reader.hcrtext");

        DemoProcess.AssertOneLineError(result, "Cannot write /proc/nope/reader.hcrtext");
        Assert.DoesNotContain("Training on", result.Output);
    }

    [Fact]
    public void Train_reader_splits_each_corpus_by_writer_and_reads_each_corpus_test_writers_apart()
    {
        using var dir = new TempDirectory();
        string words = Corpus(dir, "words", 10), lines = Corpus(dir, "lines", 10);

        var result = DemoProcess.Run(dir.Path, "train-reader", "--data", words, "--data", lines, "--test-holdout", "0.2", "--holdout", "0.25",
            "--epochs", "1", "--batch", "4", "-o", dir.File("r.hcrtext"));

        Assert.True(result.ExitCode == 0, result.ToString());
        // 10 writers a corpus: 2 test writers, then 2 of the other 8 validate, 6 train; in both corpora.
        Assert.Contains("Training on 24 images of 12 writers; validating on 8 images of 4 writers", result.Output);
        Assert.Contains("Test writers of words (2 writers, 4 images)", result.Output);
        Assert.Contains("Test writers of lines (2 writers, 4 images)", result.Output);
        Assert.True(File.Exists(dir.File("r.hcrtext")));
    }

    [Fact]
    public void Adapt_reader_reads_before_and_after_with_a_language_model_of_the_training_writers_texts()
    {
        (TempDirectory dir, string words, string reader) = fixture.Trained;

        var result = DemoProcess.Run(dir.Path, "adapt-reader", "-m", reader, "--data", words, "--test-holdout", "0.2",
            "--words", "2", "--steps", "2", "--language-model", "training-texts");

        Assert.True(result.ExitCode == 0, result.ToString());
        // 10 writers: 2 test writers, 1 of the other 8 validates (train-reader's 15%), and the model learns the other 7 writers' 56 texts.
        Assert.Contains($"Learning a character {Hcr.MLNet.Text.CharacterLanguageModel.DefaultOrder}-gram model from the texts of 7 training writers (56 images)", result.Output);
        Assert.Contains("read with beam search and the language model", result.Output);
        Assert.Contains("mean CER over 2 writers before", result.Output);
        Assert.Contains("after 2 words", result.Output);
    }

    [Fact]
    public void Evaluate_reader_compares_language_model_orders_on_the_validation_writers_and_refuses_a_bad_order()
    {
        (TempDirectory dir, string words, string reader) = fixture.Trained;

        var result = DemoProcess.Run(dir.Path, "evaluate-reader", "-m", reader, "--data", words, "--test-holdout", "0.2",
            "--language-model", "training-texts", "--validation-writers", "--lm-order", "2,3", "--lm-weight", "0.6", "--lm-bonus", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Learning a character 2-gram model", result.Output);
        Assert.Contains("Learning a character 3-gram model", result.Output);
        Assert.Contains("order 2, weight 0.6, bonus 1: CER", result.Output);
        Assert.Contains("order 3, weight 0.6, bonus 1: CER", result.Output);
        DemoProcess.AssertOneLineError(DemoProcess.Run(dir.Path, "evaluate-reader", "-m", reader, "--data", words,
            "--language-model", "training-texts", "--lm-order", "5,0"), "--lm-order");
    }
}

/// <summary>
/// A corpus of glyph words (10 writers, 8 words each) and a reader the demo trained on it for one epoch, made once for the
/// tests that read with a trained reader, and only when one of them runs.
/// </summary>
public sealed class DemoReaderFixture : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly Lazy<(TempDirectory Directory, string Corpus, string Reader)> _trained;

    public DemoReaderFixture() => _trained = new(() =>
    {
        string words = DemoReaderProtocolTests.Corpus(_dir, "words", 10, perWriter: 8);
        var trained = DemoProcess.Run(_dir.Path, "train-reader", "--data", words, "--test-holdout", "0.2", "--holdout", "0.2",
            "--epochs", "1", "--batch", "8", "-o", _dir.File("r.hcrtext"));
        Assert.True(trained.ExitCode == 0, trained.ToString());
        return (_dir, words, _dir.File("r.hcrtext"));
    });

    public (TempDirectory Directory, string Corpus, string Reader) Trained => _trained.Value;

    public void Dispose() => _dir.Dispose();
}
