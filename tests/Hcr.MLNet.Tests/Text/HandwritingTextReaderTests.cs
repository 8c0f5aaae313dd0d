using System.IO.Compression;
using System.Text.Json.Nodes;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.IO;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Text;

namespace Hcr.MLNet.Tests.Text;

/// <summary>
/// A text reader trained for two short epochs on drawn glyph words, shared by the tests that only read, save or load it
/// (what it reads does not matter to them, only that it is a real trained network). Trained by the first test that asks,
/// so that a class whose tests are skipped (the slow tier) costs nothing.
/// </summary>
public sealed class GlyphReaderFixture : IDisposable
{
    private readonly Lazy<HandwritingTextReader> _reader;

    public GlyphReaderFixture()
    {
        Images = GlyphWords.Write(Directory, 16, seed: 1);
        // A blank page among them, as real data sets have: left out of training, not fatal.
        BlankImage = Directory.File("blank-page.png");
        File.WriteAllBytes(BlankImage, TestImages.Encode(TestImages.GreyToRgba(Enumerable.Repeat((byte)240, 96 * 48).ToArray()), 96, 48, SkiaSharp.SKEncodedImageFormat.Png));
        _reader = new(() => HandwritingTextReader.Create()
            .WithWordImages(WordImageSet.FromImages(Images.Images.Append(new WordImage(BlankImage, "abc", "0"))))
            .WithEpochs(2).WithBatchSize(8)
            .Train());
    }

    public TempDirectory Directory { get; } = new();

    public WordImageSet Images { get; }

    public string BlankImage { get; }

    public HandwritingTextReader Reader => _reader.Value;

    public void Dispose()
    {
        if (_reader.IsValueCreated)
            _reader.Value.Dispose();
        Directory.Dispose();
    }
}

public class HandwritingTextReaderTests(GlyphReaderFixture fixture) : IClassFixture<GlyphReaderFixture>
{
    [Fact]
    public void PathStreamAndBytesReadAlike()
    {
        WordImage image = fixture.Images.Images[0];
        TextReading fromPath = fixture.Reader.Read(image.Path);
        using FileStream stream = File.OpenRead(image.Path);
        Assert.Equal(fromPath.Text, fixture.Reader.Read(stream).Text);
        Assert.Equal(fromPath.Text, fixture.Reader.Read(File.ReadAllBytes(image.Path)).Text);
    }

    [Fact]
    public void TheHistoryHasEveryEpoch() => Assert.Equal(2, fixture.Reader.History.Count);

    [Fact]
    public void AnUnusableTrainingImageIsSkippedAndListed() => Assert.Equal([fixture.BlankImage], fixture.Reader.SkippedImages);

    [Fact]
    public void EvaluationCountsAnImageWithoutInkAsReadAsNothing()
    {
        var one = WordImageSet.FromImages([new WordImage(fixture.BlankImage, "abc", "0")]);
        TextEvaluation e = fixture.Reader.Evaluate(one);
        Assert.Equal(1.0, e.CharacterErrorRate);
        Assert.Equal(0.0, e.TextAccuracy);
    }

    [Fact]
    public void ABlankImageIsUnusableAndNamed()
    {
        string blank = fixture.Directory.File("blank.png");
        File.WriteAllBytes(blank, TestImages.Encode(TestImages.GreyToRgba(Enumerable.Repeat((byte)230, 64 * 32).ToArray()), 64, 32, SkiaSharp.SKEncodedImageFormat.Png));
        var e = Assert.Throws<UnusableImageException>(() => fixture.Reader.Read(blank));
        Assert.Equal(blank, e.ImageSource);
        Assert.Throws<FileNotFoundException>(() => fixture.Reader.Read(fixture.Directory.File("none.png")));
        Assert.Throws<UnusableImageException>(() => fixture.Reader.Read(new byte[] { 1, 2, 3 }));
    }

    [Fact]
    public void SaveAndLoadReadTheSame()
    {
        string path = fixture.Directory.File("reader.hcrtext");
        fixture.Reader.Save(path);
        using HandwritingTextReader loaded = HandwritingTextReader.Load(path);
        Assert.Equal(fixture.Reader.Alphabet.Characters, loaded.Alphabet.Characters);
        Assert.Equal(fixture.Reader.History.Count, loaded.History.Count);
        foreach (WordImage image in fixture.Images.Images.Take(5))
        {
            TextReading a = fixture.Reader.Read(image.Path), b = loaded.Read(image.Path);
            Assert.Equal(a.Text, b.Text);
            Assert.Equal(a.Confidence, b.Confidence, 1e-6);
        }
    }

    /// <summary>
    /// A wide network's size is recorded in the file and rebuilt on loading: its weights have other shapes, so loading
    /// them into the standard network would be refused as damage.
    /// </summary>
    [Fact]
    public void AWideReaderSavesAndLoadsAsWide()
    {
        using HandwritingTextReader wide = HandwritingTextReader.Create()
            .WithWordImages(fixture.Images).WithNetworkSize(TextNetworkSize.Wide).WithEpochs(1).WithBatchSize(8).Train();
        string path = fixture.Directory.File("wide.hcrtext");
        wide.Save(path);
        using (System.IO.Compression.ZipArchive zip = System.IO.Compression.ZipFile.OpenRead(path))
        using (var manifest = System.Text.Json.JsonDocument.Parse(zip.GetEntry("manifest.json")!.Open()))
            Assert.Equal((int)TextNetworkSize.Wide, manifest.RootElement.GetProperty("NetworkSize").GetInt32());
        using HandwritingTextReader loaded = HandwritingTextReader.Load(path);
        foreach (WordImage image in fixture.Images.Images.Take(3))
        {
            TextReading a = wide.Read(image.Path), b = loaded.Read(image.Path);
            Assert.Equal(a.Text, b.Text);
            Assert.Equal(a.Confidence, b.Confidence, 1e-6);
        }
    }

    /// <summary>
    /// Options that size a read's work are bounded, so that a service passing its clients' options through cannot be tied
    /// up (a beam of a million took minutes for one word, int.MaxValue ran out of memory): the bound itself reads, one past
    /// it is refused before any work, naming the bound.
    /// </summary>
    [Fact]
    public void OptionsThatSizeWorkAreBounded()
    {
        string image = fixture.Images.Images[0].Path;
        fixture.Reader.Read(image, new ReadOptions { Decoding = TextDecoding.BeamSearch, BeamWidth = ReadOptions.MaxBeamWidth, Alternatives = ReadOptions.MaxAlternatives });

        AssertBound(nameof(ReadOptions.BeamWidth), ReadOptions.MaxBeamWidth, new ReadOptions { BeamWidth = ReadOptions.MaxBeamWidth + 1 });
        AssertBound(nameof(ReadOptions.BeamWidth), ReadOptions.MaxBeamWidth, new ReadOptions { Decoding = TextDecoding.BeamSearch, BeamWidth = int.MaxValue });
        AssertBound(nameof(ReadOptions.Alternatives), ReadOptions.MaxAlternatives, new ReadOptions { Alternatives = ReadOptions.MaxAlternatives + 1 });
        string[] huge = Enumerable.Range(0, ReadOptions.MaxLexiconEntries + 1).Select(i => "a").ToArray();
        AssertBound(nameof(ReadOptions.Lexicon), ReadOptions.MaxLexiconEntries, new ReadOptions { Lexicon = huge });

        void AssertBound(string name, int bound, ReadOptions options)
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Reader.Read(image, options));
            Assert.Equal(name, e.ParamName);
            Assert.Contains(bound.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>A flipped bit anywhere in a .hcrtext file is a ModelFormatException naming it, never a silent load.</summary>
    [Fact]
    public void AFlippedBitAnywhereIsRefusedAsDamage()
    {
        string good = fixture.Directory.File("flips.hcrtext");
        fixture.Reader.Save(good);
        byte[] bytes = File.ReadAllBytes(good);
        var random = new Random(27);
        for (int i = 0; i < 24; i++)
        {
            int at = i < 4 ? bytes.Length - 1 - i * 23 : random.Next(bytes.Length);
            byte[] flipped = (byte[])bytes.Clone();
            flipped[at] ^= (byte)(1 << random.Next(8));
            string path = fixture.Directory.File($"flip-{i}.hcrtext");
            File.WriteAllBytes(path, flipped);
            Exception? thrown = Record.Exception(() => HandwritingTextReader.Load(path).Dispose());
            Assert.True(thrown is ModelFormatException, $"a bit flipped at byte {at} of {bytes.Length}: {thrown?.GetType().Name ?? "loaded silently"} {thrown?.Message}");
            Assert.Contains(path, thrown!.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void BadFilesAreRefusedWithTheirName()
    {
        string good = fixture.Directory.File("good.hcrtext");
        fixture.Reader.Save(good);

        Assert.Throws<FileNotFoundException>(() => HandwritingTextReader.Load(fixture.Directory.File("missing.hcrtext")));
        Assert.Throws<ModelFormatException>(() => HandwritingTextReader.Load(fixture.Directory.Path));

        string notZip = fixture.Directory.File("not-zip.hcrtext");
        File.WriteAllText(notZip, "hello");
        Assert.Contains(notZip, Assert.Throws<ModelFormatException>(() => HandwritingTextReader.Load(notZip)).Message, StringComparison.Ordinal);

        string newer = Rewrite(good, "newer.hcrtext", manifest => manifest["FormatVersion"] = HandwritingTextReader.FormatVersion + 1);
        Assert.Contains("format version", Assert.Throws<ModelFormatException>(() => HandwritingTextReader.Load(newer)).Message, StringComparison.Ordinal);

        string recognizer = Rewrite(good, "other.hcrtext", manifest => manifest["Format"] = "hcr-recognizer");
        Assert.Contains("not an Hcr.MLNet text reader", Assert.Throws<ModelFormatException>(() => HandwritingTextReader.Load(recognizer)).Message, StringComparison.Ordinal);

        string damaged = Rewrite(good, "damaged.hcrtext", manifest => manifest["NetworkSha256"] = new string('0', 64));
        Assert.Contains("checksum", Assert.Throws<ModelFormatException>(() => HandwritingTextReader.Load(damaged)).Message, StringComparison.Ordinal);

        string truncated = fixture.Directory.File("truncated.hcrtext");
        byte[] bytes = File.ReadAllBytes(good);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        Assert.Throws<ModelFormatException>(() => HandwritingTextReader.Load(truncated));
    }

    [Fact]
    public void A_reader_keeps_its_reading_options_language_model_and_lexicon_in_its_file()
    {
        string plain = fixture.Directory.File("options-plain.hcrtext");
        fixture.Reader.Save(plain);
        using HandwritingTextReader copy = HandwritingTextReader.Load(plain);
        Assert.Equal(new ReadOptions(), copy.DefaultReadOptions); // a trained reader reads greedy unless told otherwise
        CharacterLanguageModel model = CharacterLanguageModel.Train(["abc", "cab", "bca", "abcab"], order: 3);
        copy.DefaultReadOptions = new ReadOptions
        {
            Decoding = TextDecoding.BeamSearch, BeamWidth = 7, Alternatives = 2, Layout = TextLayout.SingleLine,
            LanguageModel = model, LanguageModelWeight = 1.25, CharacterBonus = 0.5, Lexicon = ["abc", "cab", "Straße"],
        };
        string withOptions = fixture.Directory.File("options.hcrtext");
        copy.Save(withOptions);

        using HandwritingTextReader loaded = HandwritingTextReader.Load(withOptions);
        ReadOptions saved = copy.DefaultReadOptions, read = loaded.DefaultReadOptions;
        Assert.Equal((saved.Decoding, saved.BeamWidth, saved.Alternatives, saved.Layout, saved.LanguageModelWeight, saved.CharacterBonus),
            (read.Decoding, read.BeamWidth, read.Alternatives, read.Layout, read.LanguageModelWeight, read.CharacterBonus));
        Assert.Equal(saved.Lexicon!, read.Lexicon!);
        Assert.NotNull(read.LanguageModel);
        Assert.Equal(model.Order, read.LanguageModel.Order);
        foreach (string text in new[] { "abc", "cba", "abcabc", "x" })
            Assert.Equal(model.LogProbability(text), read.LanguageModel.LogProbability(text));
        Assert.Equal(copy.Read(fixture.Images.Images[0].Path).Text, loaded.Read(fixture.Images.Images[0].Path).Text);

        // Files written before readers kept their options read greedy.
        string older = Rewrite(withOptions, "options-older.hcrtext", manifest => manifest.Remove("ReadDefaults"));
        using (HandwritingTextReader old = HandwritingTextReader.Load(older))
            Assert.Equal(new ReadOptions(), old.DefaultReadOptions);
        string damaged = Rewrite(withOptions, "options-damaged.hcrtext", manifest => manifest["ReadDefaults"]!["LanguageModelSha256"] = new string('0', 64));
        string message = Assert.Throws<ModelFormatException>(() => HandwritingTextReader.Load(damaged)).Message;
        Assert.Contains("language-model.txt", message, StringComparison.Ordinal);
        Assert.Contains(damaged, message, StringComparison.Ordinal);
        string outOfBounds = Rewrite(withOptions, "options-bounds.hcrtext", manifest => manifest["ReadDefaults"]!["BeamWidth"] = 0);
        Assert.Contains("reading options", Assert.Throws<ModelFormatException>(() => HandwritingTextReader.Load(outOfBounds)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABuilderTrainsOnceAndNeedsImages()
    {
        Assert.Throws<InvalidOperationException>(() => HandwritingTextReader.Create().Train());
        Assert.Throws<ArgumentOutOfRangeException>(() => HandwritingTextReader.Create().WithWordImages(fixture.Images).WithEpochs(0).Train());
    }

    /// <summary>A copy of <paramref name="source"/> with its manifest changed by <paramref name="change"/>.</summary>
    private string Rewrite(string source, string name, Action<JsonObject> change)
    {
        string target = fixture.Directory.File(name);
        File.Copy(source, target, overwrite: true);
        using (ZipArchive zip = ZipFile.Open(target, ZipArchiveMode.Update))
        {
            ZipArchiveEntry entry = zip.GetEntry("manifest.json")!;
            JsonObject manifest;
            using (Stream s = entry.Open())
                manifest = JsonNode.Parse(s)!.AsObject();
            change(manifest);
            entry.Delete();
            using Stream written = zip.CreateEntry("manifest.json").Open();
            using var writer = new System.Text.Json.Utf8JsonWriter(written);
            manifest.WriteTo(writer);
        }
        ModelFiles.Reseal(target);
        return target;
    }
}

/// <summary>Training for long enough to learn: the glyph words are nearly solved.</summary>
public class TextReaderLearningTests
{
    [SlowFact]
    public void ItLearnsToReadGlyphWords()
    {
        using var dir = new TempDirectory();
        WordImageSet images = GlyphWords.Write(dir, 96, seed: 1);
        using HandwritingTextReader reader = HandwritingTextReader.Create()
            .WithWordImages(images)
            .WithEpochs(12).WithBatchSize(16).WithLearningRate(5e-3)
            .WithTrainerOptions(o => o.Augment = false)
            .Train();
        // A network that learned nothing writes nothing (CER 100%) or garbage (more).
        TextEvaluation e = reader.Evaluate(images);
        Assert.True(e.CharacterErrorRate < 0.2, $"Glyph words should be nearly solved after training: {e}");
        Assert.True(reader.History[^1].TrainLoss < reader.History[0].TrainLoss);

        // A word it never saw: read whole, its characters left to right within the glyphs (x = 8..108 of 116 pixels).
        File.WriteAllBytes(dir.File("new.png"), GlyphWords.Png("abcab"));
        TextReading reading = reader.Read(dir.File("new.png"), new ReadOptions { Decoding = TextDecoding.BeamSearch });
        Assert.Equal("abcab", reading.Text);
        TextCharacterReading[] characters = reading.Lines.Single().Words.Single().Characters.ToArray();
        Assert.All(characters.Zip(characters.Skip(1)), pair => Assert.True(pair.First.Box.X < pair.Second.Box.X));
        Assert.All(characters, c => Assert.InRange(c.Box.X, 0, 108));
        Assert.All(characters, c => Assert.InRange(c.Confidence, 0f, 1f));
    }
}

/// <summary>
/// A text training that diverges ends with <see cref="Hcr.MLNet.Training.TrainingDivergedException"/> before anything is
/// kept: at learning rate 1e6 one epoch returned normally (CTC's zero_infinity hid the broken network), the demo printed
/// "Saved", and Read then threw NullReferenceException.
/// </summary>
public class TextTrainingDivergenceTests
{
    [Fact]
    public void ADivergingRunStopsWithATypedErrorAndLeavesTheLastGoodCheckpoint()
    {
        using var dir = new TempDirectory();
        WordImageSet images = GlyphWords.Write(dir, 16, seed: 2);
        string checkpoints = dir.File("checkpoints");
        var e = Assert.Throws<Hcr.MLNet.Training.TrainingDivergedException>(() => HandwritingTextReader.Create()
            .WithWordImages(images)
            .WithEpochs(1).WithBatchSize(8).WithLearningRate(1e6)
            .WithTrainerOptions(o => o.CheckpointDirectory = checkpoints)
            .Train());
        Assert.Equal(1, e.Epoch);
        Assert.Contains("Lower the learning rate", e.Message, StringComparison.Ordinal);
        // The diverged epoch was never checkpointed.
        Assert.False(Directory.Exists(checkpoints) && Directory.EnumerateFiles(checkpoints, "*.hcrckpt").Any());
    }
}
