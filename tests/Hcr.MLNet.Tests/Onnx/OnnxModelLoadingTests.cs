using Google.Protobuf;
using Hcr.MLNet.IO;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Hcr.MLNet.Onnx;
using Hcr.MLNet.Onnx.Proto;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;

namespace Hcr.MLNet.Tests.Onnx;

/// <summary>Files <see cref="OnnxCnnModel.Load"/> must refuse, each with a <see cref="ModelFormatException"/> naming the file and the problem.</summary>
public sealed class OnnxModelLoadingTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _good;

    public OnnxModelLoadingTests()
    {
        TorchRuntime.EnsureInitialized();
        _good = _dir.File("good.onnx");
        using HandwritingCnnTransformer model = OnnxTestSupport.Wrap(CnnArchitecture.Seed.CreateNetwork(3), CnnArchitecture.Seed, 3);
        model.ExportOnnx(_good);
    }

    public void Dispose() => _dir.Dispose();

    private ModelFormatException Refused(string path, string expected)
    {
        var e = Assert.Throws<ModelFormatException>(() => OnnxCnnModel.Load(path));
        Assert.Equal(path, e.Source);
        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Problem, StringComparison.Ordinal);
        return e;
    }

    private string Write(string name, ModelProto model)
    {
        string path = _dir.File(name);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    [Fact]
    public void The_good_file_loads()
    {
        using OnnxCnnModel model = OnnxCnnModel.Load(_good);
        Assert.Equal(3, model.ClassCount);
        float[] p = model.Score(new float[784]);
        Assert.Equal(1f, p.Sum(), 4);
    }

    [Fact]
    public void Missing_file_is_FileNotFoundException()
    {
        var e = Assert.Throws<FileNotFoundException>(() => OnnxCnnModel.Load(_dir.File("absent.onnx")));
        Assert.Equal(_dir.File("absent.onnx"), e.FileName);
    }

    [Fact]
    public void Files_that_are_not_ONNX()
    {
        File.WriteAllText(_dir.File("text.onnx"), "This is not a model, just some text.\n");
        Refused(_dir.File("text.onnx"), "ONNX");
        File.WriteAllBytes(_dir.File("empty.onnx"), []);
        Refused(_dir.File("empty.onnx"), "not an ONNX model");
        File.WriteAllBytes(_dir.File("noise.onnx"), Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray());
        Refused(_dir.File("noise.onnx"), "ONNX");
    }

    [Fact]
    public void Truncated_files()
    {
        byte[] bytes = File.ReadAllBytes(_good);
        foreach (double fraction in new[] { 0.01, 0.3, 0.5, 0.9, 0.999 })
        {
            string path = _dir.File($"truncated-{fraction}.onnx");
            File.WriteAllBytes(path, bytes[..(int)(bytes.Length * fraction)]);
            Assert.Throws<ModelFormatException>(() => OnnxCnnModel.Load(path));
        }
    }

    [Fact]
    public void Corrupt_bytes_anywhere_are_detected()
    {
        byte[] bytes = File.ReadAllBytes(_good);
        var random = new Random(5);
        for (int trial = 0; trial < 40; trial++)
        {
            byte[] corrupt = (byte[])bytes.Clone();
            // Spread over the whole file: header, weights and the metadata at the end.
            int position = trial < 8 ? bytes.Length - 1 - trial * 37 : random.Next(bytes.Length);
            corrupt[position] ^= (byte)(1 << random.Next(8));
            string path = _dir.File($"corrupt-{trial}.onnx");
            File.WriteAllBytes(path, corrupt);
            var e = Assert.Throws<ModelFormatException>(() => OnnxCnnModel.Load(path));
            Assert.Equal(path, e.Source);
        }
    }

    [Fact]
    public void A_changed_weight_breaks_the_checksum()
    {
        ModelProto model = OnnxTestSupport.ReadModel(_good);
        byte[] weights = model.Graph.Initializer[0].RawData.ToByteArray();
        weights[0] ^= 1;
        model.Graph.Initializer[0].RawData = ByteString.CopyFrom(weights);
        Refused(Write("edited.onnx", model), "checksum");
    }

    [Fact]
    public void ONNX_model_without_Hcr_metadata()
    {
        ModelProto model = OnnxTestSupport.ReadModel(_good);
        model.MetadataProps.Clear();
        Refused(Write("foreign.onnx", model), OnnxMetadataKeys.FormatVersion);

        model = OnnxTestSupport.ReadModel(_good);
        var classes = model.MetadataProps.Single(p => p.Key == OnnxMetadataKeys.Classes);
        model.MetadataProps.Remove(classes);
        OnnxFormat.Seal(model);
        Refused(Write("no-classes.onnx", model), OnnxMetadataKeys.Classes);

        model = OnnxTestSupport.ReadModel(_good);
        model.MetadataProps.Single(p => p.Key == OnnxMetadataKeys.Classes).Value = "A, B, C";
        OnnxFormat.Seal(model);
        Refused(Write("bad-classes.onnx", model), "JSON");

        model = OnnxTestSupport.ReadModel(_good);
        model.MetadataProps.Single(p => p.Key == OnnxMetadataKeys.FormatVersion).Value = "2";
        OnnxFormat.Seal(model);
        Refused(Write("future.onnx", model), "version '2'");
    }

    [Fact]
    public void Wrong_input_shape_type_or_name()
    {
        ModelProto model = OnnxTestSupport.ReadModel(_good);
        model.Graph.Input[0].Type.TensorType.Shape.Dim[2].DimValue = 32;
        OnnxFormat.Seal(model);
        ModelFormatException e = Refused(Write("32x32.onnx", model), "input 'pixels' must be float [batch, 1, 28, 28]");
        Assert.Contains("[batch, 1, 32, 28]", e.Problem, StringComparison.Ordinal);

        model = OnnxTestSupport.ReadModel(_good);
        model.Graph.Input[0].Type.TensorType.ElemType = (int)TensorProto.Types.DataType.Double;
        OnnxFormat.Seal(model);
        Refused(Write("double.onnx", model), "double");

        model = OnnxTestSupport.ReadModel(_good);
        model.Graph.Input[0].Name = "image";
        OnnxFormat.Seal(model);
        Refused(Write("renamed.onnx", model), "one input named 'pixels'");
    }

    [Fact]
    public void Output_that_does_not_match_the_classes()
    {
        ModelProto model = OnnxTestSupport.ReadModel(_good);
        model.MetadataProps.Single(p => p.Key == OnnxMetadataKeys.Classes).Value = """["A","B","C","D"]""";
        OnnxFormat.Seal(model);
        Refused(Write("classes.onnx", model), "float [batch, 4]");
    }

    [Fact]
    public void A_sealed_graph_that_ONNX_Runtime_rejects()
    {
        ModelProto model = OnnxTestSupport.ReadModel(_good);
        model.Graph.Node[0].OpType = "NoSuchOperator";
        OnnxFormat.Seal(model);
        string path = Write("unknown-op.onnx", model);
        Refused(path, "uses operator NoSuchOperator, which Hcr.MLNet's exporter never writes");
        // Without strict validation the graph reaches ONNX Runtime, whose refusal is a format error too.
        var e = Assert.Throws<ModelFormatException>(() => OnnxCnnModel.Load(path, options: new OnnxScoringOptions { StrictValidation = false }));
        Assert.Equal(path, e.Source);
        Assert.Contains("ONNX Runtime cannot load the model", e.Problem, StringComparison.Ordinal);
    }
}
