using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Tests.Text;
using Hcr.MLNet.Text;

namespace Hcr.MLNet.Tests.Demo;

/// <summary>The demo's text reader export: <c>export-onnx</c> of a <c>.hcrtext</c> file, then <c>read -m reader.onnx</c>.</summary>
public class DemoTextOnnxTests(GlyphReaderFixture fixture) : IClassFixture<GlyphReaderFixture>
{
    [SlowFact]
    public void A_text_reader_exports_to_onnx_and_reads_through_it()
    {
        using var dir = new TempDirectory();
        string saved = dir.File("reader.hcrtext");
        fixture.Reader.Save(saved);

        var export = DemoProcess.Run(dir.Path, "export-onnx", "-m", saved, "-o", "reader.onnx");
        Assert.True(export.ExitCode == 0, export.Output + export.Error);
        Assert.True(File.Exists(dir.File("reader.onnx")));
        Assert.Contains("read -m reader.onnx", export.Output.ReplaceLineEndings(" "), StringComparison.Ordinal);

        WordImage image = fixture.Images.Images[0];
        var read = DemoProcess.Run(dir.Path, "read", image.Path, "-m", "reader.onnx");
        Assert.True(read.ExitCode == 0, read.Output + read.Error);
        Assert.StartsWith($"{Path.GetFileName(image.Path)}\t{fixture.Reader.Read(image.Path).Text}\t", read.Output, StringComparison.Ordinal);

        // Options of character recognizers are refused for a text reader, and a damaged model in one line.
        DemoProcess.AssertOneLineError(DemoProcess.Run(dir.Path, "export-onnx", "-m", saved, "--test-time-rotations", "-5,5"), "text reader");
        File.WriteAllBytes(dir.File("damaged.onnx"), File.ReadAllBytes(dir.File("reader.onnx"))[..1000]);
        DemoProcess.AssertOneLineError(DemoProcess.Run(dir.Path, "read", image.Path, "-m", "damaged.onnx"), "damaged.onnx");

        // A NaN weight, resealed: the demo printed only "Object reference not set to an instance of an object.".
        var model = Hcr.MLNet.Onnx.Proto.ModelProto.Parser.ParseFrom(File.ReadAllBytes(dir.File("reader.onnx")));
        var weight = model.Graph.Initializer.First(t => t.RawData.Length >= 4 && t.DataType == (int)Hcr.MLNet.Onnx.Proto.TensorProto.Types.DataType.Float);
        byte[] data = weight.RawData.ToByteArray();
        System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(data, float.NaN);
        weight.RawData = Google.Protobuf.ByteString.CopyFrom(data);
        Hcr.MLNet.Onnx.OnnxFormat.Seal(model);
        File.WriteAllBytes(dir.File("nan.onnx"), Google.Protobuf.MessageExtensions.ToByteArray(model));
        var nan = DemoProcess.Run(dir.Path, "read", image.Path, "-m", "nan.onnx");
        DemoProcess.AssertOneLineError(nan, "NaN or infinite");
        Assert.Contains("nan.onnx", nan.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Object reference", nan.Error, StringComparison.Ordinal);
    }
}
