using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.IO;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Hcr.MLNet.Onnx;
using Hcr.MLNet.Onnx.Proto;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;
using AttributeType = Hcr.MLNet.Onnx.Proto.AttributeProto.Types.AttributeType;
using DataType = Hcr.MLNet.Onnx.Proto.TensorProto.Types.DataType;

namespace Hcr.MLNet.Tests.Onnx;

/// <summary>
/// Damaged and hostile ONNX files: each is refused at load with a <see cref="ModelFormatException"/> naming the file,
/// before ONNX Runtime allocates or computes anything for it. The hostile graphs are sealed again after editing, as an
/// attacker would, so the checksum cannot be what stops them.
/// </summary>
public sealed class OnnxHostileModelTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _good;

    public OnnxHostileModelTests()
    {
        TorchRuntime.EnsureInitialized();
        _good = _dir.File("good.onnx");
        using HandwritingCnnTransformer model = OnnxTestSupport.Wrap(CnnArchitecture.Seed.CreateNetwork(3), CnnArchitecture.Seed, 3);
        model.ExportOnnx(_good);
    }

    public void Dispose() => _dir.Dispose();

    private static ModelFormatException Refused(string path, string expected, OnnxScoringOptions? options = null)
    {
        var e = Assert.Throws<ModelFormatException>(() => OnnxCnnModel.Load(path, options: options));
        Assert.Equal(path, e.Source);
        Assert.Contains(expected, e.Problem, StringComparison.Ordinal);
        return e;
    }

    private string Write(string name, ModelProto model)
    {
        OnnxFormat.Seal(model);
        string path = _dir.File(name);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    // ------------------------------------------------------------ files that are not models

    [Fact]
    public void Dev_zero_is_refused_quickly_without_reading_it()
    {
        // Warm up what the first load initialises (ONNX Runtime, ML.NET), so that only the read is measured.
        Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.LoadOnnx(_dir.Path));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.LoadOnnx("/dev/zero"));
        watch.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("/dev/zero", e.Source);
        // Refused by its type before it is opened (RegularFile); before that check, by the size limit as it was read.
        Assert.Contains("is a character device, not a regular file", e.Problem, StringComparison.Ordinal);
        Assert.True(allocated < 256L << 20, $"{allocated:N0} bytes allocated");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public void A_file_larger_than_any_model_is_refused_by_its_size()
    {
        string path = _dir.File("huge.onnx");
        using (var stream = new FileStream(path, FileMode.CreateNew))
            stream.SetLength(ModelFormats.MaxOnnxBytes + 1); // sparse: no disk used
        long before = GC.GetAllocatedBytesForCurrentThread();
        ModelFormatException e = Refused(path, "larger than an Hcr.MLNet ONNX model can be");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16L << 20);
        Assert.Contains($"{ModelFormats.MaxOnnxBytes + 1:N0} bytes", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_is_not_a_model_file()
    {
        Refused(_dir.Path, "is a directory");
        var e = Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.LoadOnnx(_dir.Path));
        Assert.Equal(_dir.Path, e.Source);
    }

    // ------------------------------------------------------------ the exporter's graphs pass, and set the allow-list

    [Fact]
    public void Every_design_exports_a_graph_that_strict_validation_admits_and_together_they_use_every_admitted_operator()
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        CnnArchitecture[] designs = [CnnArchitecture.Seed, CnnArchitecture.Standard, new ResidualTestCnn()];
        double[][] rotationSets = [[], [-5, 5], [-20, -15, -10, -5, 5, 10, 15, 20]];
        foreach (CnnArchitecture design in designs)
        {
            foreach (double[] rotations in rotationSets)
            {
                using HandwritingCnnTransformer model = OnnxTestSupport.Wrap(design.CreateNetwork(47), design, 47, rotations);
                using var stream = new MemoryStream();
                model.ExportOnnx(stream);
                byte[] bytes = stream.ToArray();
                OnnxFormat.Read(bytes, $"{design.Name} with {rotations.Length} rotations", strict: true);
                used.UnionWith(ModelProto.Parser.ParseFrom(bytes).Graph.Node.Select(n => n.OpType));
            }
        }
        // The text reader's line network: the exporter's sequence layout.
        using (var line = new Hcr.MLNet.Text.TextLineNetwork(Hcr.MLNet.Text.TextSequenceModel.Convolution, Hcr.MLNet.Text.TextNetworkSize.Standard, 5))
        {
            byte[] text = Hcr.MLNet.Text.TextOnnxExport.Export(line, new Hcr.MLNet.Text.TextAlphabet("abcd"), 256).ToByteArray();
            Hcr.MLNet.Text.TextOnnxFormat.Read(text, "text line network", strict: true);
            used.UnionWith(ModelProto.Parser.ParseFrom(text).Graph.Node.Select(n => n.OpType));
        }
        // Both ways: an operator the exporter starts writing must be admitted, and one it no longer writes must go.
        Assert.Equal(OnnxGraphValidator.Operators.Order(StringComparer.Ordinal), used.Order(StringComparer.Ordinal));
    }

    // ------------------------------------------------------------ hostile graphs

    /// <summary>
    /// The good model with <paramref name="branch"/> computing <paramref name="result"/> from the pixels, added to the
    /// logits times zero: the probabilities stay right, and the branch runs on every prediction.
    /// </summary>
    private ModelProto WithBranch(string result, IEnumerable<TensorProto> initializers, params NodeProto[] branch)
    {
        ModelProto model = OnnxTestSupport.ReadModel(_good);
        GraphProto graph = model.Graph;
        graph.Initializer.AddRange(initializers);
        graph.Initializer.Add(Floats("hostile.zero", [0f], 1));
        NodeProto softmax = graph.Node.Single(n => n.OpType == "Softmax");
        string logits = softmax.Input[0];
        int at = graph.Node.IndexOf(softmax);
        NodeProto[] nodes = [.. branch, Node("Mul", "hostile.zeroed", [result, "hostile.zero"]), Node("Add", "hostile.logits", [logits, "hostile.zeroed"])];
        for (int i = 0; i < nodes.Length; i++)
            graph.Node.Insert(at + i, nodes[i]);
        softmax.Input[0] = "hostile.logits";
        return model;
    }

    [Fact]
    public void A_ConstantOfShape_bomb_is_refused_at_load()
    {
        // 30000 x 30000 floats (3.6 GB) on every prediction, summed and multiplied by zero: the probe's bomb.
        ModelProto model = WithBranch("bomb.sum", [Int64s("bomb.shape", [30000, 30000], 2)],
            Node("ConstantOfShape", "bomb.big", ["bomb.shape"]),
            Node("ReduceSum", "bomb.sum", ["bomb.big"]));
        string path = Write("constant-of-shape.onnx", model);

        ModelFormatException e = Refused(path, "node 'bomb.big' uses operator ConstantOfShape, which Hcr.MLNet's exporter never writes");
        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Operators_the_exporter_never_writes_load_only_without_strict_validation()
    {
        ModelProto model = WithBranch("extra.same", [], Node("Identity", "extra.same", ["hostile.zero"]));
        string path = Write("identity.onnx", model);
        Refused(path, "uses operator Identity");

        using OnnxCnnModel trusted = OnnxCnnModel.Load(path, options: new OnnxScoringOptions { StrictValidation = false });
        Assert.Equal(1f, trusted.Score(new float[784]).Sum(), 4);
    }

    public static TheoryData<string> AdmittedOperatorBombs => ["concat", "conv", "square"];

    [Theory]
    [MemberData(nameof(AdmittedOperatorBombs))]
    public void A_bomb_built_of_admitted_operators_is_refused_by_its_sizes(string kind)
    {
        ModelProto model;
        string expected;
        switch (kind)
        {
            case "concat":
                // Thirty doublings of 784 pixels: 842 billion floats per image, from 30 tiny nodes.
                var nodes = new List<NodeProto> { Node("Reshape", "bomb.0", ["pixels", "bomb.flat"]) };
                for (int i = 1; i <= 30; i++)
                    nodes.Add(Node("Concat", $"bomb.{i}", [$"bomb.{i - 1}", $"bomb.{i - 1}"], Int("axis", 1)));
                nodes.Add(Node("ReduceMean", "bomb.mean", ["bomb.30"], Ints("axes", [1])));
                model = WithBranch("bomb.mean", [Int64s("bomb.flat", [-1, 784], 2)], [.. nodes]);
                expected = $"node 'bomb.13' (Concat) makes a value of [batch, 6422528]: {784 << 13:N0} elements per image";
                break;
            case "conv":
                // 65,536 one-pixel filters: a 256 KB weight that makes 51 million floats per image.
                model = WithBranch("bomb.mean", [Floats("bomb.filters", new float[65536], 65536, 1, 1, 1)],
                    Node("Conv", "bomb.conv", ["pixels", "bomb.filters"]),
                    Node("ReduceMean", "bomb.mean", ["bomb.conv"], Int("keepdims", 0)));
                expected = "node 'bomb.conv' (Conv) makes a value of [batch, 65536, 28, 28]";
                break;
            default:
                // One number per image, times its transpose: batch x batch values, 65,536 for a batch of 256.
                model = WithBranch("bomb.mean", [Int64s("bomb.column", [-1, 1], 2), Int64s("bomb.row", [1, -1], 2)],
                    Node("ReduceMean", "bomb.scalar", ["pixels"], Ints("axes", [1, 2, 3]), Int("keepdims", 0)),
                    Node("Reshape", "bomb.col", ["bomb.scalar", "bomb.column"]),
                    Node("Reshape", "bomb.r", ["bomb.scalar", "bomb.row"]),
                    Node("Mul", "bomb.square", ["bomb.col", "bomb.r"]),
                    Node("ReduceMean", "bomb.mean", ["bomb.square"], Int("keepdims", 0)));
                expected = "node 'bomb.square' (Mul) makes a value of [batch, batch], whose size grows with the square of the batch";
                break;
        }
        Refused(Write($"bomb-{kind}.onnx", model), expected);
    }

    [Fact]
    public void A_tensor_larger_than_any_weight_is_refused_before_ONNX_Runtime_sizes_it()
    {
        ModelProto model = OnnxTestSupport.ReadModel(_good);
        TensorProto weight = model.Graph.Initializer[0];
        weight.Dims.Clear();
        weight.Dims.AddRange([30000, 30000]);
        Refused(Write("huge-tensor.onnx", model), $"declares [30000, 30000], more than the {ModelFormats.MaxOnnxTensorElements:N0} elements");

        model = OnnxTestSupport.ReadModel(_good);
        model.Graph.Initializer[0].Dims.Add(long.MaxValue);
        Refused(Write("overflowing-tensor.onnx", model), "more than the");
    }

    /// <summary>
    /// A NaN or infinite weight, resealed: it passed strict validation, and the recognizer then answered '0' with
    /// confidence NaN. Refused at load, with strict validation or without, whether the floats are raw or listed.
    /// </summary>
    [Theory]
    [InlineData(float.NaN, true)]
    [InlineData(float.PositiveInfinity, true)]
    [InlineData(float.NegativeInfinity, false)]
    public void Weights_that_are_not_finite_are_refused(float bad, bool raw)
    {
        ModelProto model = OnnxTestSupport.ReadModel(_good);
        TensorProto weight = model.Graph.Initializer.First(t => t.DataType == (int)DataType.Float && t.RawData.Length > 8);
        if (raw)
        {
            byte[] data = weight.RawData.ToByteArray();
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4), bad);
            weight.RawData = ByteString.CopyFrom(data);
        }
        else
        {
            float[] values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(weight.RawData.Span).ToArray();
            values[1] = bad;
            weight.RawData = ByteString.Empty;
            weight.FloatData.AddRange(values);
        }
        string path = Write($"not-finite-{raw}.onnx", model);
        Refused(path, $"initializer '{weight.Name}' holds a weight that is NaN or infinite");
        Refused(path, "NaN or infinite", new OnnxScoringOptions { StrictValidation = false });
        var e = Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.LoadOnnx(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tensor_kept_in_another_file_is_refused()
    {
        ModelProto model = OnnxTestSupport.ReadModel(_good);
        TensorProto weight = model.Graph.Initializer[0];
        weight.RawData = ByteString.Empty;
        weight.DataLocation = TensorProto.Types.DataLocation.External;
        weight.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "/etc/passwd" });
        Refused(Write("external.onnx", model), $"initializer '{weight.Name}' keeps its data in another file");
    }

    [Fact]
    public void Custom_domains_and_other_operator_sets_are_refused()
    {
        ModelProto model = OnnxTestSupport.ReadModel(_good);
        model.Graph.Node.First(n => n.OpType == "Relu").Domain = "com.example";
        Refused(Write("domain.onnx", model), "of domain 'com.example', which Hcr.MLNet's exporter never writes");

        model = OnnxTestSupport.ReadModel(_good);
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.microsoft", Version = 1 });
        Refused(Write("opset-domain.onnx", model), "imports operator set 'com.microsoft'");

        model = OnnxTestSupport.ReadModel(_good);
        model.OpsetImport[0].Version = 21;
        Refused(Write("opset-21.onnx", model), "operator set 21");

        model = OnnxTestSupport.ReadModel(_good);
        model.IrVersion = 10;
        Refused(Write("ir-10.onnx", model), "IR version 10");
    }

    [Fact]
    public void Attributes_the_exporter_never_writes_are_refused()
    {
        ModelProto model = OnnxTestSupport.ReadModel(_good);
        NodeProto relu = model.Graph.Node.First(n => n.OpType == "Relu");
        relu.Attribute.Add(new AttributeProto { Name = "body", Type = AttributeType.Graph, G = new GraphProto { Name = "nested" } });
        Refused(Write("subgraph.onnx", model), $"node '{relu.Name}' (Relu) has attribute 'body'");

        model = OnnxTestSupport.ReadModel(_good);
        AttributeProto axis = model.Graph.Node.Single(n => n.OpType == "Softmax").Attribute.Single();
        axis.T = Floats("smuggled", [1f], 1);
        Refused(Write("smuggled-tensor.onnx", model), "has attribute 'axis' of another kind");
    }

    [Fact]
    public void Fields_outside_the_exporter_s_schema_are_refused()
    {
        // ModelProto field 25 is 'functions' (model-local functions) in the full ONNX schema.
        ModelProto model = OnnxTestSupport.ReadModel(_good);
        model = ModelProto.Parser.ParseFrom([.. model.ToByteArray(), .. UnknownField(25, "function")]);
        Refused(Write("functions.onnx", model), "the model holds ONNX fields that Hcr.MLNet's exporter never writes");

        // NodeProto field 8 is 'overload' in the full schema.
        model = OnnxTestSupport.ReadModel(_good);
        NodeProto node = model.Graph.Node[1];
        model.Graph.Node[1] = NodeProto.Parser.ParseFrom([.. node.ToByteArray(), .. UnknownField(8, "overload")]);
        Refused(Write("node-field.onnx", model), $"node '{node.Name}' holds ONNX fields");
    }

    [Fact]
    public void The_same_model_encoded_another_way_is_refused()
    {
        // A field repeated at the end parses to the same model (the last value wins), so the checksum holds; ONNX Runtime's
        // parser would settle it the same way, but only one encoding leaves no room for parsers to differ at all.
        ModelProto model = OnnxTestSupport.ReadModel(_good);
        string path = _dir.File("repeated-field.onnx");
        File.WriteAllBytes(path, [.. model.ToByteArray(), .. new ModelProto { ProducerName = model.ProducerName }.ToByteArray()]);
        Assert.Equal(model, OnnxTestSupport.ReadModel(path));
        Refused(path, "not encoded as Hcr.MLNet's exporter writes it");
    }

    [Fact]
    public void A_graph_out_of_order_or_reading_unknown_values_is_refused()
    {
        ModelProto model = OnnxTestSupport.ReadModel(_good);
        NodeProto last = model.Graph.Node[^1];
        model.Graph.Node.RemoveAt(model.Graph.Node.Count - 1);
        model.Graph.Node.Insert(0, last);
        Refused(Write("reordered.onnx", model), $"node '{last.Name}' (ArgMax) reads 'probabilities', which no earlier node");
    }

    // ------------------------------------------------------------ ONNX Runtime's own refusal

    [Fact]
    public void A_graph_that_passes_every_check_but_ONNX_Runtime_rejects_is_a_format_error()
    {
        // Int64 weights for a Gemm of floats: a stored type, the right number of values, the right shape, but Gemm's
        // inputs must share one type, which only ONNX Runtime's type checks see.
        ModelProto model = OnnxTestSupport.ReadModel(_good);
        string weightName = model.Graph.Node.First(n => n.OpType == "Gemm").Input[1];
        TensorProto weight = model.Graph.Initializer.Single(t => t.Name == weightName);
        long count = weight.RawData.Length / sizeof(float);
        weight.RawData = ByteString.Empty;
        weight.DataType = (int)DataType.Int64;
        weight.Int64Data.AddRange(new long[count]);
        string path = Write("int64-weights.onnx", model);
        OnnxFormat.Read(File.ReadAllBytes(path), path, strict: true);
        Refused(path, "ONNX Runtime cannot load the model");
    }

    // ------------------------------------------------------------ a recognizer's damaged metadata

    public static TheoryData<string> DamagedPreprocessing =>
    [
        JsonSerializer.Serialize(new InkNormalizationOptions { AnalysisSize = 1 }),
        """{"Polarity": 7}""",
        """{"Centering": -1}""",
        """{"BlurSigma": 1e300}""",
    ];

    [Theory]
    [MemberData(nameof(DamagedPreprocessing))]
    public void A_recognizer_with_damaged_preprocessing_settings_is_a_format_error(string json)
    {
        string path = _dir.File("recognizer.onnx");
        using (HandwritingCnnTransformer model = OnnxTestSupport.Wrap(CnnArchitecture.Seed.CreateNetwork(3), CnnArchitecture.Seed, 3))
            model.ExportOnnx(path, new Dictionary<string, string> { [HandwritingRecognizer.PreprocessingMetadataKey] = json });
        var e = Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.LoadOnnx(path));
        Assert.Equal(path, e.Source);
        Assert.Contains("preprocessing settings are damaged", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_recognizer_whose_classes_are_not_characters_is_a_format_error()
    {
        ModelProto model = OnnxTestSupport.ReadModel(_good);
        model.MetadataProps.Single(p => p.Key == OnnxMetadataKeys.Classes).Value = """["AB","B","C"]""";
        string path = Write("long-class.onnx", model);
        var e = Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.LoadOnnx(path));
        Assert.Equal(path, e.Source);
        Assert.Contains("'AB' is not a single character", e.Problem, StringComparison.Ordinal);
    }

    // ------------------------------------------------------------ building blocks

    private static NodeProto Node(string op, string name, string[] inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(name);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeType.Int, I = value };

    private static AttributeProto Ints(string name, long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static TensorProto Floats(string name, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        return tensor;
    }

    private static TensorProto Int64s(string name, long[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.Int64Data.AddRange(values);
        return tensor;
    }

    /// <summary>A length-delimited field with a field number the library's schema subset does not have.</summary>
    private static byte[] UnknownField(int number, string content)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer))
        {
            output.WriteTag(number, WireFormat.WireType.LengthDelimited);
            output.WriteString(content);
        }
        return buffer.ToArray();
    }
}
