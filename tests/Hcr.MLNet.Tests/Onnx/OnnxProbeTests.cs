using Google.Protobuf;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Hcr.MLNet.Onnx;
using Hcr.MLNet.Onnx.Proto;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;

namespace Hcr.MLNet.Tests.Onnx;

/// <summary>The child-process probe itself: its warning capture can fail, and its deployment has no torch files.</summary>
public class OnnxProbeTests
{
    [Fact]
    public void Probe_is_deployed_without_any_TorchSharp_or_libtorch_file()
    {
        string[] files = Directory.EnumerateFiles(OnnxProbe.Directory, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToArray()!;
        Assert.Contains("Hcr.MLNet.Onnx.dll", files);
        // Nor the training assembly: an application that references the core package alone does not have it.
        Assert.DoesNotContain("Hcr.MLNet.dll", files);
        Assert.Contains(files, f => f.Contains("onnxruntime", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(files, f => f.Contains("torch", StringComparison.OrdinalIgnoreCase) || f.StartsWith("libc10", StringComparison.Ordinal));
    }

    /// <summary>
    /// An application that references only Hcr.MLNet.Onnx (as the probe does) and loads a TorchSharp model file is told
    /// which package to add, instead of "Could not load file or assembly". (It cannot compile a call to training,
    /// fine-tuning or TorchSharp scoring: those are members of the training assembly.)
    /// </summary>
    [Fact]
    public void Without_the_training_assembly_loading_a_TorchSharp_model_names_the_package_to_add()
    {
        string src = Path.Combine(SharedData.RepositoryRoot, "src");
        OnnxProbe.Result result = OnnxProbe.RunWithoutTorch(Path.Combine(src, "Hcr.MLNet.Onnx", "Pretrained", "emnist47.hcr"),
            Path.Combine(src, "Hcr.MLNet", "Pretrained", "dhsd-reader.hcrtext"));
        string[] entryPoints = result.All("without-torch").ToArray();
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["load-hcr", "load-hcrtext"],
            entryPoints.Select(e => e[..e.IndexOf(':', StringComparison.Ordinal)]));
        Assert.All(entryPoints, e =>
        {
            Assert.Contains($"{typeof(TorchRuntimeException).FullName}: ", e, StringComparison.Ordinal);
            Assert.Contains($"dotnet add package {TorchRuntime.TrainingPackage}", e, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Probe_reports_ONNX_Runtime_warnings_when_a_model_causes_some()
    {
        TorchRuntime.EnsureInitialized();
        using var dir = new TempDirectory();
        using (HandwritingCnnTransformer model = OnnxTestSupport.Wrap(CnnArchitecture.Seed.CreateNetwork(3), CnnArchitecture.Seed, 3))
            model.ExportOnnx(dir.File("m.onnx"));
        // An initializer no node uses: ONNX Runtime removes it and warns.
        ModelProto proto = OnnxTestSupport.ReadModel(dir.File("m.onnx"));
        var unused = new TensorProto { Name = "left_over", DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(new byte[16]) };
        unused.Dims.Add(4);
        proto.Graph.Initializer.Add(unused);
        OnnxFormat.Seal(proto);
        File.WriteAllBytes(dir.File("warns.onnx"), proto.ToByteArray());

        OnnxProbe.Result result = OnnxProbe.Run(dir.File("warns.onnx"));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.NotEqual("0", result["ort-warnings"]);
        Assert.Contains(result.All("ort-warning"), w => w.Contains("left_over", StringComparison.Ordinal));
        Assert.Equal("none", result["torch-libraries-mapped"]);
        // Only the probe's own session (logging at verbose) warns: OnnxCnnModel opens one session, which logs
        // nothing below fatal, and no other (ML.NET's OnnxTransformer would open a second that warns too).
        Assert.All(result.All("ort-warning"), w => Assert.Contains("[probe-session]", w, StringComparison.Ordinal));
    }
}
