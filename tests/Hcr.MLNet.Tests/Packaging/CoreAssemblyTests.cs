using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Hcr.MLNet.Native;
using Hcr.MLNet.Scoring;
using Hcr.MLNet.Text;

namespace Hcr.MLNet.Tests.Packaging;

/// <summary>
/// The line between the two assemblies, read off their metadata: the core (Hcr.MLNet.Onnx.dll, which an application that
/// only predicts ships alone) references no TorchSharp assembly and not the training assembly, so the compiler keeps
/// TorchSharp out of prediction; the training assembly (Hcr.MLNet.dll) builds on the core.
/// </summary>
public class CoreAssemblyTests
{
    [Fact]
    public void Core_assembly_references_neither_TorchSharp_nor_the_training_assembly()
    {
        string[] references = AssemblyReferences(typeof(HandwritingRecognizer).Assembly.Location);
        Assert.Equal("Hcr.MLNet.Onnx", typeof(HandwritingRecognizer).Assembly.GetName().Name);
        Assert.Contains("Microsoft.ML.OnnxRuntime", references);
        Assert.DoesNotContain(references, r => r.StartsWith("TorchSharp", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("Hcr.MLNet", references);
    }

    [Fact]
    public void Training_assembly_builds_on_the_core_and_TorchSharp()
    {
        string[] references = AssemblyReferences(typeof(HandwritingRecognizerBuilder).Assembly.Location);
        Assert.Equal("Hcr.MLNet", typeof(HandwritingRecognizerBuilder).Assembly.GetName().Name);
        Assert.Contains("Hcr.MLNet.Onnx", references);
        Assert.Contains("TorchSharp", references);
    }

    [Fact]
    public void Core_finds_the_training_assembly_by_the_name_it_looks_for()
    {
        Type? loader = Type.GetType(TorchModels.LoaderTypeName);
        Assert.NotNull(loader);
        Assert.Equal(typeof(HandwritingRecognizerBuilder).Assembly, loader.Assembly);
        Assert.IsAssignableFrom<ITorchCnnLoader>(TorchModels.Require<ITorchCnnLoader>());
        Assert.IsAssignableFrom<ITorchTextLoader>(TorchModels.Require<ITorchTextLoader>());
    }

    [Fact]
    public void Pretrained_models_are_embedded_in_the_assembly_that_reads_them()
    {
        string[] core = typeof(HandwritingRecognizer).Assembly.GetManifestResourceNames();
        string[] training = typeof(HandwritingRecognizerBuilder).Assembly.GetManifestResourceNames();
        Assert.Equal(["Hcr.MLNet.Pretrained.dhsd-copiste.lm.gz", "Hcr.MLNet.Pretrained.dhsd-reader.onnx", "Hcr.MLNet.Pretrained.emnist47.hcr",
            "Hcr.MLNet.Pretrained.emnist47.onnx"], core.Order());
        Assert.Equal(["Hcr.MLNet.Pretrained.dhsd-reader.hcrtext"], training);
        Assert.Equal(32, TextStrip.Height);
    }

    /// <summary>The names of the assemblies the file at <paramref name="path"/> references, read from its metadata tables.</summary>
    private static string[] AssemblyReferences(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        MetadataReader metadata = pe.GetMetadataReader();
        return metadata.AssemblyReferences.Select(h => metadata.GetString(metadata.GetAssemblyReference(h).Name)).ToArray();
    }
}
