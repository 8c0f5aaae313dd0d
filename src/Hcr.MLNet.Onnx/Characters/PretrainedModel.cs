using System.Reflection;
using Hcr.MLNet.IO;

namespace Hcr.MLNet;

/// <summary>
/// The models shipped inside the assemblies as embedded resources: in Hcr.MLNet.Onnx.dll (src/Hcr.MLNet.Onnx/Pretrained)
/// the ONNX export of the text reader of <see cref="HandwritingTextReader.LoadPretrained(Onnx.OnnxScoringOptions?)"/>
/// (its reader file, which only TorchSharp reads, is in the training assembly, Hcr.MLNet.dll), and the EMNIST-47 recognizer: its
/// recognizer file (<c>.hcr</c>: the TorchSharp weights, which fine-tuning and TorchSharp scoring need) and that file's
/// ONNX export (what <see cref="HandwritingRecognizer.LoadPretrained(Onnx.OnnxScoringOptions?)"/> scores with, so that
/// predicting loads no libtorch). Both are shipped because neither can be made from the other without libtorch: the
/// exporter reads TorchSharp modules, and the ONNX graph has batch norm folded into the convolutions, which cannot be
/// undone into the network's own tensors. Embedded resources rather than package content files: they travel with the
/// assembly wherever it is copied (single-file publishing, test runners, plug-in folders), need no path lookup, and
/// cannot drift from the library version that reads them.
/// </summary>
internal static class PretrainedModel
{
    /// <summary>The recognizer file (<c>hcr-demo train … -o</c>), as <see cref="HandwritingRecognizer.Save"/> wrote it.</summary>
    public const string RecognizerResource = "Hcr.MLNet.Pretrained.emnist47.hcr";

    /// <summary>Its ONNX export (<c>hcr-demo export-onnx</c>), as <see cref="HandwritingRecognizer.ExportOnnx"/> wrote it.</summary>
    public const string OnnxResource = "Hcr.MLNet.Pretrained.emnist47.onnx";

    /// <summary>The text reader file (<c>hcr-demo train-reader … -o</c>), as <see cref="HandwritingTextReader.Save"/> wrote it; in the training assembly.</summary>
    public const string TextReaderResource = "Hcr.MLNet.Pretrained.dhsd-reader.hcrtext";

    /// <summary>Its ONNX export (<c>hcr-demo export-onnx</c>), as <see cref="HandwritingTextReader.ExportOnnx"/> wrote it.</summary>
    public const string TextReaderOnnxResource = "Hcr.MLNet.Pretrained.dhsd-reader.onnx";

    /// <summary>The pretrained text reader's character language model (gzip of <c>CharacterLanguageModel.Save</c>'s text).</summary>
    public const string LanguageModelResource = "Hcr.MLNet.Pretrained.dhsd-copiste.lm.gz";

    /// <summary>How errors and <see cref="Onnx.OnnxCnnModel.ModelPath"/> name a resource of <paramref name="assembly"/> (this one when null).</summary>
    public static string Source(string resource, Assembly? assembly = null) => $"{resource} (embedded in {FileName(assembly)})";

    /// <summary>The resource's bytes, streamed from the image of <paramref name="assembly"/> (this one when null).</summary>
    /// <exception cref="FileNotFoundException">The assembly was built without it.</exception>
    public static Stream Open(string resource, Assembly? assembly = null) =>
        (assembly ?? typeof(PretrainedModel).Assembly).GetManifestResourceStream(resource)
        ?? throw new FileNotFoundException(
            $"The pretrained model {resource} is not embedded in this build of {FileName(assembly)} (it is built from the project's Pretrained folder).", resource);

    private static string FileName(Assembly? assembly) => $"{(assembly ?? typeof(PretrainedModel).Assembly).GetName().Name}.dll";

    /// <summary>The whole resource in memory.</summary>
    public static byte[] ReadAll(string resource)
    {
        using Stream stream = Open(resource);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Writes the resource to <paramref name="path"/> atomically.</summary>
    public static void CopyTo(string resource, string path)
    {
        using Stream stream = Open(resource);
        AtomicFile.Write(path, stream.CopyTo);
    }
}
