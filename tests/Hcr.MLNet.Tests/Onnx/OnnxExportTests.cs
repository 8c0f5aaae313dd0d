using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Hcr.MLNet.Onnx;
using Hcr.MLNet.Onnx.Proto;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Tests.Training;
using Hcr.MLNet.Training;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Hcr.MLNet.Tests.Onnx;

/// <summary>Export of every architecture, parity with TorchSharp, graph layout, and export failures.</summary>
public class OnnxExportTests
{
    public OnnxExportTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void Standard_network_folds_every_batch_norm_and_drops_dropout()
    {
        using var dir = new TempDirectory();
        Module<Tensor, Tensor> network = CnnArchitecture.Standard.CreateNetwork(5);
        OnnxTestSupport.RandomizeBatchNorms(network, seed: 3);
        using HandwritingCnnTransformer model = OnnxTestSupport.Wrap(network, CnnArchitecture.Standard, 5);
        model.ExportOnnx(dir.File("standard.onnx"));

        ModelProto proto = OnnxTestSupport.ReadModel(dir.File("standard.onnx"));
        string[] ops = proto.Graph.Node.Select(n => n.OpType).ToArray();
        // One ONNX node per convolution and dense layer of the network; nothing else carries weights.
        Assert.Equal(network.modules().Count(m => m is TorchSharp.Modules.Conv2d), ops.Count(o => o == "Conv"));
        Assert.Equal(network.modules().Count(m => m is TorchSharp.Modules.Linear), ops.Count(o => o == "Gemm"));
        Assert.True(ops.Count(o => o == "Conv") >= 5);
        Assert.DoesNotContain("BatchNormalization", ops);
        Assert.DoesNotContain("Dropout", ops);
        // Conv without bias + batch norm → Conv with a bias; Linear without bias + BatchNorm1d → Gemm with a bias.
        Assert.All(proto.Graph.Node.Where(n => n.OpType is "Conv" or "Gemm"), n => Assert.Equal(3, n.Input.Count));

        using OnnxCnnModel onnx = OnnxCnnModel.Load(dir.File("standard.onnx"));
        var images = SyntheticGlyphs.Create(25, "HVDOXo", seed: 5);
        OnnxTestSupport.Parity parity = OnnxTestSupport.Compare(model, onnx, OnnxTestSupport.Pixels(images, images.Count), images.Count);
        Assert.True(parity.MaxDifference < 1e-4, parity.ToString());
    }

    [Fact]
    public void Test_time_rotations_export_as_gathered_views_averaged_like_TorchSharp_scoring()
    {
        using var dir = new TempDirectory();
        torch.manual_seed(8);
        Module<Tensor, Tensor> network = CnnArchitecture.Standard.CreateNetwork(6);
        OnnxTestSupport.RandomizeBatchNorms(network, seed: 8);
        using HandwritingCnnTransformer model = OnnxTestSupport.Wrap(network, CnnArchitecture.Standard, 6, [-5, 5, 12]);
        model.ExportOnnx(dir.File("views.onnx"));

        ModelProto proto = OnnxTestSupport.ReadModel(dir.File("views.onnx"));
        string[] ops = proto.Graph.Node.Select(n => n.OpType).ToArray();
        Assert.Equal(3 * 4, ops.Count(o => o == "Gather"));
        Assert.Equal(1, ops.Count(o => o == "ReduceMean"));
        Assert.Equal("[-5,5,12]", proto.MetadataProps.Single(p => p.Key == OnnxMetadataKeys.TestTimeRotations).Value);

        using OnnxCnnModel onnx = OnnxCnnModel.Load(dir.File("views.onnx"));
        var images = SyntheticGlyphs.Create(20, "HVDOXo", seed: 6);
        OnnxTestSupport.Parity parity = OnnxTestSupport.Compare(model, onnx, OnnxTestSupport.Pixels(images, images.Count), images.Count);
        Assert.True(parity.MaxDifference < 1e-4, parity.ToString());

        // Without rotations the graph scores the image alone, and its probabilities differ.
        using HandwritingCnnTransformer alone = OnnxTestSupport.Wrap(CnnArchitecture.Standard.CreateNetwork(6), CnnArchitecture.Standard, 6);
        alone.Network.load_state_dict(network.state_dict());
        alone.ExportOnnx(dir.File("alone.onnx"));
        ModelProto plain = OnnxTestSupport.ReadModel(dir.File("alone.onnx"));
        Assert.DoesNotContain(plain.Graph.Node, n => n.OpType is "Gather" or "ReduceMean");
        Assert.Equal("[]", plain.MetadataProps.Single(p => p.Key == OnnxMetadataKeys.TestTimeRotations).Value);
        float[] pixels = OnnxTestSupport.Pixels(images, 1);
        Assert.NotEqual(model.Score(pixels), alone.Score(pixels));
    }

    [Fact]
    public void Residual_blocks_global_pooling_and_unfoldable_batch_norms_export_exactly()
    {
        using var dir = new TempDirectory();
        torch.manual_seed(12);
        var architecture = new ResidualTestCnn();
        Module<Tensor, Tensor> network = architecture.CreateNetwork(4);
        OnnxTestSupport.RandomizeBatchNorms(network, seed: 12); // running statistics and affine values far from the identity
        using HandwritingCnnTransformer model = OnnxTestSupport.Wrap(network, architecture, 4);
        model.ExportOnnx(dir.File("residual.onnx"));

        ModelProto proto = OnnxTestSupport.ReadModel(dir.File("residual.onnx"));
        string[] ops = proto.Graph.Node.Select(n => n.OpType).ToArray();
        Assert.Equal(2, ops.Count(o => o == "Add"));
        Assert.Equal(2, ops.Count(o => o == "BatchNormalization")); // post_bn (after a block's ReLU) and head.bn (after a ReLU)
        Assert.Contains("GlobalAveragePool", ops);
        Assert.Contains("AveragePool", ops);
        string[] names = proto.Graph.Node.Select(n => n.Name).ToArray();
        Assert.Contains("block1.add", names);
        Assert.Contains("block2.shortcut.conv", names);
        Assert.Contains("head.output", names);
        Assert.DoesNotContain(names, n => n.Contains("bn", StringComparison.Ordinal) && n != "post_bn" && n != "head.bn");

        using OnnxCnnModel onnx = OnnxCnnModel.Load(dir.File("residual.onnx"));
        var test = SyntheticGlyphs.Create(50, seed: 43);
        OnnxTestSupport.Parity parity = OnnxTestSupport.Compare(model, onnx, OnnxTestSupport.Pixels(test, test.Count), test.Count);
        Assert.True(parity.Agreement >= 0.999, parity.ToString());
        Assert.True(parity.MaxDifference < 1e-4, parity.ToString());
    }

    [Fact]
    public void Same_padding_dilation_strides_and_ceil_mode_pooling_export_exactly()
    {
        using var dir = new TempDirectory();
        torch.manual_seed(11);
        Module<Tensor, Tensor> network = Sequential(
            ("same", Conv2d(1, 4, 5, padding: Padding.Same, bias: false)), ("same_bn", BatchNorm2d(4)), ("relu1", ReLU()),
            ("strided", Conv2d(4, 8, 3, stride: 2, padding: 1)), ("relu2", ReLU()),                        // 28 → 14
            ("pool", MaxPool2d(kernel_size: 2, stride: 2, ceil_mode: true)),                               // 14 → 7
            ("pool_odd", MaxPool2d(kernel_size: 2, stride: 2, ceil_mode: true)),                           // 7 → 4 (a partial last window)
            ("dilated", Conv2d(8, 8, 3, padding: 2, dilation: 2)), ("relu3", ReLU()),                       // 4 → 4
            ("flatten", Flatten()), ("output", Linear(8 * 4 * 4, 3)));
        OnnxTestSupport.RandomizeBatchNorms(network, seed: 4);
        using HandwritingCnnTransformer model = OnnxTestSupport.Wrap(network, CnnArchitecture.Seed, 3);
        model.ExportOnnx(dir.File("m.onnx"));

        using OnnxCnnModel onnx = OnnxCnnModel.Load(dir.File("m.onnx"));
        var images = SyntheticGlyphs.Create(20, "HVDOXo", seed: 6);
        OnnxTestSupport.Parity parity = OnnxTestSupport.Compare(model, onnx, OnnxTestSupport.Pixels(images, images.Count), images.Count);
        Assert.True(parity.MaxDifference < 1e-4, parity.ToString());
        NodeProto same = OnnxTestSupport.ReadModel(dir.File("m.onnx")).Graph.Node[0];
        Assert.Equal([2L, 2, 2, 2], same.Attribute.Single(a => a.Name == "pads").Ints);
    }

    [Fact]
    public void Graph_has_the_documented_inputs_outputs_versions_and_metadata()
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer model = OnnxTestSupport.Wrap(CnnArchitecture.Seed.CreateNetwork(3), CnnArchitecture.Seed, 3);
        model.ExportOnnx(dir.File("m.onnx"), new Dictionary<string, string> { ["recognizer.invert"] = "true", ["recognizer.threshold"] = "0.5" });

        ModelProto proto = OnnxTestSupport.ReadModel(dir.File("m.onnx"));
        Assert.Equal(8, proto.IrVersion);
        Assert.Equal(17, Assert.Single(proto.OpsetImport).Version);
        Assert.Equal("Hcr.MLNet", proto.ProducerName);
        Assert.False(string.IsNullOrEmpty(proto.ProducerVersion));

        ValueInfoProto input = Assert.Single(proto.Graph.Input);
        Assert.Equal("pixels", input.Name);
        Assert.Equal((int)TensorProto.Types.DataType.Float, input.Type.TensorType.ElemType);
        Assert.Equal("batch", input.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal([1L, 28, 28], input.Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue));
        Assert.Equal(["probabilities", "predicted_class"], proto.Graph.Output.Select(o => o.Name));
        Assert.Equal(3, proto.Graph.Output[0].Type.TensorType.Shape.Dim[1].DimValue);
        Assert.Equal((int)TensorProto.Types.DataType.Int64, proto.Graph.Output[1].Type.TensorType.ElemType);
        NodeProto argMax = proto.Graph.Node.Single(n => n.OpType == "ArgMax");
        AttributeProto keepDims = argMax.Attribute.Single(a => a.Name == "keepdims");
        Assert.True(keepDims.HasI); // a zero INT attribute is written, not left to proto3's defaults
        Assert.Equal(0, keepDims.I);

        var metadata = proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("""["A","B","C"]""", metadata[OnnxMetadataKeys.Classes]);
        Assert.Equal("seed", metadata[OnnxMetadataKeys.Architecture]);
        Assert.Equal("1", metadata[OnnxMetadataKeys.FormatVersion]);
        Assert.Equal("Pixels", metadata[OnnxMetadataKeys.PixelsColumn]);
        Assert.Equal("true", metadata["recognizer.invert"]);
        Assert.Equal(64, metadata[OnnxMetadataKeys.ContentSha256].Length);

        using OnnxCnnModel onnx = OnnxCnnModel.Load(dir.File("m.onnx"));
        Assert.Equal(["A", "B", "C"], onnx.ClassNames);
        Assert.Equal("0.5", onnx.Metadata["recognizer.threshold"]);
        Assert.Equal(17, onnx.Opset);
        Assert.Equal("Pixels", onnx.PixelsColumnName);
    }

    [Fact]
    public void Layers_named_like_the_graph_values_get_unique_names()
    {
        using var dir = new TempDirectory();
        Module<Tensor, Tensor> network = Sequential(
            ("pixels", Conv2d(1, 2, 3, padding: 1)), ("probabilities", ReLU()), ("flatten", Flatten()), ("predicted_class", Linear(2 * 28 * 28, 3)));
        using HandwritingCnnTransformer model = OnnxTestSupport.Wrap(network, CnnArchitecture.Seed, 3);
        model.ExportOnnx(dir.File("m.onnx"));

        ModelProto proto = OnnxTestSupport.ReadModel(dir.File("m.onnx"));
        Assert.Equal(["pixels_2", "probabilities_2", "flatten", "predicted_class_2", "probabilities", "predicted_class"], proto.Graph.Node.Select(n => n.Name));
        using OnnxCnnModel onnx = OnnxCnnModel.Load(dir.File("m.onnx"));
        var images = SyntheticGlyphs.Create(5, seed: 8);
        OnnxTestSupport.Parity parity = OnnxTestSupport.Compare(model, onnx, OnnxTestSupport.Pixels(images, images.Count), images.Count);
        Assert.True(parity.MaxDifference < 1e-4, parity.ToString());
    }

    [Fact]
    public void Export_is_deterministic()
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer model = OnnxTestSupport.Wrap(CnnArchitecture.Standard.CreateNetwork(4), CnnArchitecture.Standard, 4);
        model.ExportOnnx(dir.File("a.onnx"));
        using var stream = new MemoryStream();
        model.ExportOnnx(stream);
        Assert.Equal(File.ReadAllBytes(dir.File("a.onnx")), stream.ToArray());
    }

    [Fact]
    public void Unknown_layer_fails_with_its_name_and_type_and_writes_nothing()
    {
        using var dir = new TempDirectory();
        Module<Tensor, Tensor> network = Sequential(
            ("conv", Conv2d(1, 4, 3, padding: 1)), ("act", Tanh()), ("flatten", Flatten()), ("output", Linear(4 * 28 * 28, 3)));
        using HandwritingCnnTransformer model = OnnxTestSupport.Wrap(network, CnnArchitecture.Seed, 3);

        var e = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(dir.File("bad.onnx")));
        Assert.Contains("'act'", e.Message, StringComparison.Ordinal);
        Assert.Contains("TorchSharp.Modules.Tanh", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));

        // An existing file under the name is left as it was.
        File.WriteAllText(dir.File("bad.onnx"), "previous model");
        Assert.Throws<NotSupportedException>(() => model.ExportOnnx(dir.File("bad.onnx")));
        Assert.Equal("previous model", File.ReadAllText(dir.File("bad.onnx")));
        Assert.Single(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void Unknown_module_inside_a_nested_sequential_is_named_by_its_path()
    {
        using var dir = new TempDirectory();
        Module<Tensor, Tensor> network = Sequential(
            ("features", Sequential(("conv", Conv2d(1, 4, 3, padding: 1)), ("custom", new Doubler()))),
            ("flatten", Flatten()), ("output", Linear(4 * 28 * 28, 3)));
        using HandwritingCnnTransformer model = OnnxTestSupport.Wrap(network, CnnArchitecture.Seed, 3);

        var e = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(dir.File("bad.onnx")));
        Assert.Contains("'features.custom'", e.Message, StringComparison.Ordinal);
        Assert.Contains(typeof(Doubler).FullName!, e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void Settings_ONNX_cannot_express_and_networks_that_do_not_fit_fail_before_writing()
    {
        using var dir = new TempDirectory();
        (Module<Tensor, Tensor> Network, Type Error, string Text)[] cases =
        [
            (Sequential(("conv", Conv2d(1, 4, 3)), ("gap", AdaptiveAvgPool2d(2)), ("flatten", Flatten()), ("output", Linear(16, 3))),
                typeof(NotSupportedException), "'gap'"),
            (Sequential(("conv", Conv2d(1, 4, 3, padding: 1, padding_mode: PaddingModes.Reflect)), ("flatten", Flatten()), ("output", Linear(4 * 28 * 28, 3))),
                typeof(NotSupportedException), "Reflect"),
            (Sequential(("conv", Conv2d(1, 4, 3)), ("flatten", Flatten()), ("output", Linear(4 * 28 * 28, 3))),
                typeof(InvalidOperationException), "'output' (Linear) expects 3136 features"),
            (Sequential(("conv", Conv2d(1, 4, 3, padding: 1)), ("flatten", Flatten()), ("output", Linear(4 * 28 * 28, 5))),
                typeof(InvalidOperationException), "3 classes"),
            (Sequential(("conv", Conv2d(2, 4, 3)), ("flatten", Flatten())),
                typeof(InvalidOperationException), "'conv' (Conv2d) expects 2 input channels"),
        ];
        foreach ((Module<Tensor, Tensor> network, Type error, string text) in cases)
        {
            using HandwritingCnnTransformer model = OnnxTestSupport.Wrap(network, CnnArchitecture.Seed, 3);
            Exception e = Assert.Throws(error, () => model.ExportOnnx(dir.File("m.onnx")));
            Assert.Contains(text, e.Message, StringComparison.Ordinal);
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void Reserved_or_empty_metadata_keys_are_rejected()
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer model = OnnxTestSupport.Wrap(CnnArchitecture.Seed.CreateNetwork(3), CnnArchitecture.Seed, 3);
        var e = Assert.Throws<ArgumentException>(() => model.ExportOnnx(dir.File("m.onnx"), new Dictionary<string, string> { [OnnxMetadataKeys.Classes] = "[]" }));
        Assert.Contains(OnnxMetadataKeys.Classes, e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => model.ExportOnnx(dir.File("m.onnx"), new Dictionary<string, string> { [""] = "x" }));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    /// <summary>A custom module the exporter cannot know.</summary>
    private sealed class Doubler() : Module<Tensor, Tensor>(nameof(Doubler))
    {
        public override Tensor forward(Tensor input) => input * 2;
    }
}
