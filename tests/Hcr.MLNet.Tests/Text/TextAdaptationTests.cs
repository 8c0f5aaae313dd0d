using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Text;

namespace Hcr.MLNet.Tests.Text;

/// <summary>
/// Adapting a trained reader to a few images (<see cref="HandwritingTextReaderBuilder.StartingFrom"/>): it starts from
/// the reader's weights and keeps its alphabet, leaves the reader itself untouched, and refuses what it cannot do.
/// </summary>
public class TextAdaptationTests(GlyphReaderFixture fixture) : IClassFixture<GlyphReaderFixture>
{
    [Fact]
    public void Adapting_learns_the_words_it_is_shown_and_leaves_the_reader_as_it_was()
    {
        WordImageSet words = WordImageSet.FromImages(fixture.Images.Images.Take(12), "twelve glyph words");
        string[] before = words.Images.Select(i => fixture.Reader.Read(i.Path).Text).ToArray();
        TextEvaluation start = fixture.Reader.Evaluate(words);

        using HandwritingTextReader adapted = HandwritingTextReader.Create()
            .StartingFrom(fixture.Reader, new TextAdaptationOptions { Steps = 80 })
            .WithLearningRate(5e-3)
            .WithBatchSize(12)
            .WithWordImages(words)
            .WithTrainerOptions(o => o.Augment = false)
            .Train();

        TextEvaluation end = adapted.Evaluate(words);
        // The fixture's reader trained for two short epochs and reads these words badly; eighty steps on them teach them.
        Assert.True(end.CharacterErrorRate < start.CharacterErrorRate - 0.2, $"before {start}, after {end}");
        Assert.Equal(fixture.Reader.Alphabet.Characters, adapted.Alphabet.Characters);
        Assert.Equal(fixture.Reader.MaxWidth, adapted.MaxWidth);
        Assert.Equal(before, words.Images.Select(i => fixture.Reader.Read(i.Path).Text).ToArray());
    }

    [Fact]
    public void An_adapted_reader_reads_with_the_options_of_the_reader_it_started_from()
    {
        string saved = fixture.Directory.File("start-with-options.hcrtext");
        fixture.Reader.Save(saved);
        using HandwritingTextReader start = HandwritingTextReader.Load(saved);
        // As the pretrained reader does: beam search with a language model.
        start.DefaultReadOptions = new ReadOptions { LanguageModel = CharacterLanguageModel.Train(["abc", "cab"]), BeamWidth = 5 };
        using HandwritingTextReader adapted = HandwritingTextReader.Create()
            .StartingFrom(start, new TextAdaptationOptions { Steps = 2 })
            .WithWordImages(WordImageSet.FromImages(fixture.Images.Images.Take(4), "four glyph words"))
            .Train();
        Assert.Same(start.DefaultReadOptions, adapted.DefaultReadOptions);
    }

    [Fact]
    public void A_text_outside_the_readers_alphabet_is_refused_with_the_image_and_the_character()
    {
        string path = fixture.Directory.File("unknown-letter.png");
        File.WriteAllBytes(path, GlyphWords.Png("ab"));
        var words = WordImageSet.FromImages([new WordImage(path, "abz", "w"), fixture.Images.Images[0]]);

        var e = Assert.Throws<ArgumentException>(() => HandwritingTextReader.Create().StartingFrom(fixture.Reader).WithWordImages(words).Train());

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("'z'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reader_from_an_ONNX_file_has_no_weights_to_adapt()
    {
        using var dir = new TempDirectory();
        fixture.Reader.ExportOnnx(dir.File("reader.onnx"));
        using HandwritingTextReader onnx = HandwritingTextReader.LoadOnnx(dir.File("reader.onnx"));

        var e = Assert.Throws<NotSupportedException>(() => HandwritingTextReader.Create().StartingFrom(onnx).WithWordImages(fixture.Images).Train());

        Assert.Contains(".hcrtext", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Adaptation_options_out_of_range_are_refused_when_given()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HandwritingTextReader.Create().StartingFrom(fixture.Reader, new TextAdaptationOptions { Steps = 0 }));
    }

    [Fact]
    public void Adapting_starts_from_its_learning_rate_and_batch_size_in_the_builder_options_and_counts_steps_not_epochs()
    {
        TextTrainingOptions start = HandwritingTextReader.Create().StartingFrom(fixture.Reader).BuildOptions();
        Assert.Equal((5e-4, 16), (start.LearningRate, start.BatchSize));
        TextTrainingOptions changed = HandwritingTextReader.Create().StartingFrom(fixture.Reader).WithLearningRate(1e-3).WithBatchSize(8).BuildOptions();
        Assert.Equal((1e-3, 8), (changed.LearningRate, changed.BatchSize));

        var before = Assert.Throws<InvalidOperationException>(() => HandwritingTextReader.Create().WithLearningRate(1e-3).StartingFrom(fixture.Reader));
        Assert.Contains("StartingFrom", before.Message, StringComparison.Ordinal);
        var epochs = Assert.Throws<InvalidOperationException>(() => HandwritingTextReader.Create()
            .StartingFrom(fixture.Reader).WithWordImages(fixture.Images).WithEpochs(3).Train());
        Assert.Contains("Steps", epochs.Message, StringComparison.Ordinal);
    }
}
