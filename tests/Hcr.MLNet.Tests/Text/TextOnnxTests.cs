using Google.Protobuf;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.IO;
using Hcr.MLNet.Native;
using Hcr.MLNet.Onnx;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Onnx.Proto;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Text;
using Hcr.MLNet.Training;
using Xunit.Abstractions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hcr.MLNet.Tests.Text;

/// <summary>The text reader through ONNX Runtime: the same probabilities and readings as TorchSharp, and bad files refused by name.</summary>
public class TextOnnxTests(GlyphReaderFixture fixture, ITestOutputHelper output) : IClassFixture<GlyphReaderFixture>
{
    private const double Tolerance = 1e-4;

    /// <summary>
    /// A fresh network with batch norms that do something (random scales, shifts and running statistics), so that
    /// folding them into the convolutions is tested, exported and scored both ways on strips of several widths: one
    /// narrower than a position's worth of padding, widths that are not a multiple of the stride, and the widest.
    /// </summary>
    [Theory]
    [InlineData(TextNetworkSize.Standard)]
    [InlineData(TextNetworkSize.Wide)]
    public void AFreshNetworkScoresTheSameThroughOnnxAtEveryWidthAndInBatches(TextNetworkSize size)
    {
        TorchRuntime.EnsureInitialized();
        var alphabet = new TextAlphabet("abcdefg");
        const int maxWidth = 256;
        using var network = new TextLineNetwork(TextSequenceModel.Convolution, size, alphabet.ClassCount);
        Randomize(network, seed: 7);
        byte[] bytes = TextOnnxExport.Export(network, alphabet, maxWidth).ToByteArray();
        TextOnnxDescription description = TextOnnxFormat.Read(bytes, "fresh.onnx", strict: true);
        Assert.Equal(alphabet.Characters, description.Alphabet.Characters);
        Assert.Equal(maxWidth, description.MaxWidth);

        var random = new Random(3);
        NormalizedLine[] lines = [.. new[] { 8, 37, 64, 130, 199, maxWidth }.Select(w => Strip(w, random))];
        var torchScorer = new TorchTextScorer(network, CPU); // not disposed: the test owns the network
        using OnnxTextScorer onnxScorer = OnnxTextScorer.Open(bytes, "fresh.onnx", description, OnnxScoringOptions.Default);
        float[][] batchedTorch = TextScoring.Probabilities(torchScorer, lines);
        float[][] batchedOnnx = TextScoring.Probabilities(onnxScorer, lines);
        double worst = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            float[] aloneOnnx = TextScoring.Probabilities(onnxScorer, [lines[i]])[0];
            Assert.Equal(lines[i].Width / TextStrip.WidthStride * alphabet.ClassCount, batchedOnnx[i].Length);
            Assert.Equal(batchedTorch[i].Length, batchedOnnx[i].Length);
            worst = Math.Max(worst, MaxDifference(batchedTorch[i], batchedOnnx[i]));
            // Padding: the batch pads every strip to the widest; a strip alone is not padded. Near the end the
            // convolutions see the padding's zeros either way, as in TorchSharp.
            worst = Math.Max(worst, MaxDifference(TextScoring.Probabilities(torchScorer, [lines[i]])[0], aloneOnnx));
            Assert.Equal(CtcDecoding.Greedy(batchedTorch[i], alphabet.ClassCount), CtcDecoding.Greedy(batchedOnnx[i], alphabet.ClassCount));
        }
        output.WriteLine($"Largest probability difference, TorchSharp vs ONNX Runtime: {worst:E2}");
        Assert.True(worst < Tolerance, $"Largest probability difference between TorchSharp and ONNX Runtime: {worst}");
        // Random weights put real mass on several classes, so the comparison is not one of near-constant outputs.
        Assert.Contains(batchedOnnx[^1], p => p is > 0.05f and < 0.95f);
    }

    [Fact]
    public void TheTrainedReaderReadsTheSameAfterExportAndLoad()
    {
        string path = fixture.Directory.File("trained.onnx");
        fixture.Reader.ExportOnnx(path);
        using HandwritingTextReader onnx = HandwritingTextReader.LoadOnnx(path);
        Assert.Equal(fixture.Reader.Alphabet.Characters, onnx.Alphabet.Characters);
        Assert.Equal(fixture.Reader.MaxWidth, onnx.MaxWidth);
        Assert.Equal(TextSequenceModel.Convolution, onnx.SequenceModel);
        Assert.Empty(onnx.History);
        var options = new ReadOptions { Decoding = TextDecoding.BeamSearch };
        foreach (WordImage image in fixture.Images.Images)
        {
            TextReading a = fixture.Reader.Read(image.Path), b = onnx.Read(image.Path);
            Assert.Equal(a.Text, b.Text);
            Assert.Equal(a.Confidence, b.Confidence, Tolerance);
            Assert.Equal(Characters(a).Select(c => (c.Character, c.Box)), Characters(b).Select(c => (c.Character, c.Box)));
            Assert.Equal(Characters(a).Select(c => (double)c.Confidence), Characters(b).Select(c => (double)c.Confidence), new Near(Tolerance));
            Assert.Equal(fixture.Reader.Read(image.Path, options).Text, onnx.Read(image.Path, options).Text);
        }
        TextEvaluation expected = fixture.Reader.Evaluate(fixture.Images), actual = onnx.Evaluate(fixture.Images);
        Assert.Equal(expected.CharacterErrorRate, actual.CharacterErrorRate);
        Assert.Equal(expected.TextAccuracy, actual.TextAccuracy);

        // The file is the model: an ONNX reader has no TorchSharp network to save or export again.
        Assert.Throws<NotSupportedException>(() => onnx.Save(fixture.Directory.File("again.hcrtext")));
        Assert.Throws<NotSupportedException>(() => onnx.ExportOnnx(fixture.Directory.File("again.onnx")));
        onnx.Dispose();
        Assert.Throws<ObjectDisposedException>(() => onnx.Read(fixture.Images.Images[0].Path));
    }

    /// <summary>In a process deployed without TorchSharp or libtorch (the ONNX probe): a reader loaded from ONNX reads, and neither is loaded.</summary>
    [Fact]
    public void AnOnnxReaderReadsWithoutTorchSharpOrLibtorch()
    {
        string path = fixture.Directory.File("probe.onnx");
        fixture.Reader.ExportOnnx(path);
        WordImage image = fixture.Images.Images[0];
        Tests.Onnx.OnnxProbe.Result result = Tests.Onnx.OnnxProbe.RunTextReader(path, image.Path);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(fixture.Reader.Read(image.Path).Text, result["text-read"]);
        Assert.Equal("none", result["torchsharp-assemblies"]);
        Assert.Equal("none", result["torch-libraries-mapped"]);
        Assert.Equal("True", result["onnxruntime-mapped"]);
    }

    [Fact]
    public void TheExportedGraphUsesAdmittedOperatorsOnlyAndDeclaresSymbolicSizes()
    {
        string path = fixture.Directory.File("graph.onnx");
        fixture.Reader.ExportOnnx(path);
        ModelProto model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.Subset(OnnxGraphValidator.Operators.ToHashSet(), model.Graph.Node.Select(n => n.OpType).ToHashSet());
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "BatchNormalization"); // folded into the convolutions
        Assert.Equal(["batch", "1", "32", "width"], Dims(model.Graph.Input.Single()));
        Assert.Equal(["batch", "positions", fixture.Reader.Alphabet.ClassCount.ToString(System.Globalization.CultureInfo.InvariantCulture)], Dims(model.Graph.Output.Single()));
        var metadata = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(fixture.Reader.Alphabet.Characters, metadata[OnnxMetadataKeys.Alphabet]);
        Assert.Equal("Convolution", metadata[OnnxMetadataKeys.SequenceModel]);
        Assert.Equal("1", metadata[OnnxMetadataKeys.FormatVersion]);
        Assert.Equal(OnnxFormat.ContentHash(model), metadata[OnnxMetadataKeys.ContentSha256]);
    }

    [Fact]
    public void BadFilesAreRefusedWithTheirName()
    {
        string good = fixture.Directory.File("good.onnx");
        fixture.Reader.ExportOnnx(good);
        byte[] bytes = File.ReadAllBytes(good);

        Assert.Throws<FileNotFoundException>(() => HandwritingTextReader.LoadOnnx(fixture.Directory.File("missing.onnx")));

        string truncated = Write("truncated.onnx", bytes[..(bytes.Length / 2)]);
        Refused(truncated, "");

        // Changed after export, seal left as it was.
        ModelProto tampered = ModelProto.Parser.ParseFrom(bytes);
        Set(tampered, OnnxMetadataKeys.Alphabet, "abd");
        Refused(Write("tampered.onnx", tampered.ToByteArray()), "checksum");

        // Resealed, so that only the metadata's own checks can tell.
        Refused(Resealed(bytes, "no-alphabet.onnx", m => Remove(m, OnnxMetadataKeys.Alphabet)), OnnxMetadataKeys.Alphabet);
        Refused(Resealed(bytes, "short-alphabet.onnx", m => Set(m, OnnxMetadataKeys.Alphabet, fixture.Reader.Alphabet.Characters[1..])), OnnxFormat.ProbabilitiesName);
        Refused(Resealed(bytes, "twice.onnx", m => Set(m, OnnxMetadataKeys.Alphabet, "aa")), OnnxMetadataKeys.Alphabet);
        Refused(Resealed(bytes, "no-width.onnx", m => Remove(m, OnnxMetadataKeys.MaxWidth)), OnnxMetadataKeys.MaxWidth);
        Refused(Resealed(bytes, "huge-width.onnx", m => Set(m, OnnxMetadataKeys.MaxWidth, "100000")), OnnxMetadataKeys.MaxWidth);
        Refused(Resealed(bytes, "lstm-ish.onnx", m => Set(m, OnnxMetadataKeys.SequenceModel, "Transformer")), OnnxMetadataKeys.SequenceModel);
        Refused(Resealed(bytes, "newer.onnx", m => Set(m, OnnxMetadataKeys.FormatVersion, "2")), "format version");
        Refused(Resealed(bytes, "fixed-width.onnx", m => m.Graph.Input[0].Type.TensorType.Shape.Dim[3] = new TensorShapeProto.Types.Dimension { DimValue = 64 }), "input");
        Refused(Resealed(bytes, "elu.onnx", m => m.Graph.Node.First(n => n.OpType == "Relu").OpType = "Elu"), "Elu");
        // A NaN weight (a diverged training's export, resealed): the reader threw NullReferenceException on every image.
        Refused(Resealed(bytes, "nan.onnx", m =>
        {
            TensorProto weight = m.Graph.Initializer.First(t => t.RawData.Length >= 4 && t.DataType == (int)TensorProto.Types.DataType.Float);
            byte[] data = weight.RawData.ToByteArray();
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(data, float.NaN);
            weight.RawData = Google.Protobuf.ByteString.CopyFrom(data);
        }), "NaN or infinite");

        // A text reader is not a character model, and the character loader says which loader to use.
        var asCharacters = Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.LoadOnnx(good));
        Assert.Contains(good, asCharacters.Message, StringComparison.Ordinal);
        Assert.Contains("HandwritingTextReader.LoadOnnx", asCharacters.Message, StringComparison.Ordinal);

        // A character model is not a text reader.
        using HandwritingCnnTransformer characters = Tests.Onnx.OnnxTestSupport.Wrap(CnnArchitecture.Seed.CreateNetwork(47), CnnArchitecture.Seed, 47, []);
        string characterModel = fixture.Directory.File("characters.onnx");
        characters.ExportOnnx(characterModel);
        Refused(characterModel, "HandwritingRecognizer.LoadOnnx");
    }

    [Fact]
    public void ABiLstmReaderIsNotExportedAndTheMessageNamesTheOptionToUse()
    {
        TorchRuntime.EnsureInitialized();
        using var network = new TextLineNetwork(TextSequenceModel.BiLstm, TextNetworkSize.Standard, 4);
        var e = Assert.Throws<NotSupportedException>(() => TextOnnxExport.Export(network, new TextAlphabet("abc"), 256));
        Assert.Contains("WithSequenceModel(TextSequenceModel.Convolution)", e.Message, StringComparison.Ordinal);
    }

    private static void Refused(string path, string because)
    {
        var e = Assert.Throws<ModelFormatException>(() => HandwritingTextReader.LoadOnnx(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(because, e.Message, StringComparison.Ordinal);
    }

    private string Write(string name, byte[] bytes)
    {
        string path = fixture.Directory.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Resealed(byte[] bytes, string name, Action<ModelProto> change)
    {
        ModelProto model = ModelProto.Parser.ParseFrom(bytes);
        change(model);
        OnnxFormat.Seal(model);
        return Write(name, model.ToByteArray());
    }

    private static void Set(ModelProto model, string key, string value) => model.MetadataProps.Single(p => p.Key == key).Value = value;

    private static void Remove(ModelProto model, string key) => model.MetadataProps.Remove(model.MetadataProps.Single(p => p.Key == key));

    private static string[] Dims(ValueInfoProto value) =>
        [.. value.Type.TensorType.Shape.Dim.Select(d => d.DimParam.Length > 0 ? d.DimParam : d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private static IEnumerable<TextCharacterReading> Characters(TextReading reading) =>
        reading.Lines.SelectMany(l => l.Words).SelectMany(w => w.Characters);

    private static double MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).DefaultIfEmpty(0).Max();

    private static NormalizedLine Strip(int width, Random random)
    {
        var pixels = new float[TextStrip.Height * width];
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = random.NextDouble() < 0.3 ? (float)random.NextDouble() : 0f;
        return new NormalizedLine(pixels, width, TextStrip.Height, InkBox.FromEdges(0, 0, width, TextStrip.Height));
    }

    /// <summary>Every weight and batch norm statistic drawn at random (seeded), so that no layer is close to the identity.</summary>
    private static void Randomize(TextLineNetwork network, int seed)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)seed);
        foreach (nn.Module module in network.modules())
        {
            if (module is BatchNorm norm)
            {
                norm.weight!.copy_(rand(norm.weight.shape, generator: generator) + 0.5);
                norm.bias!.copy_(randn(norm.bias.shape, generator: generator) * 0.2);
                norm.running_mean!.copy_(randn(norm.running_mean.shape, generator: generator) * 0.2);
                norm.running_var!.copy_(rand(norm.running_var.shape, generator: generator) + 0.5);
            }
        }
        network.eval();
    }

    private sealed class Near(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
