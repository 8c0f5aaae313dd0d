using Hcr.MLNet.Native;

namespace Hcr.MLNet.Scoring;

/// <summary>
/// A character network that TorchSharp runs (<c>HandwritingCnnTransformer</c>, in the training assembly): what the core's
/// <see cref="HandwritingRecognizer"/> does with it beyond scoring (save, export, copy with other rotations), without
/// naming a TorchSharp type.
/// </summary>
internal interface ITorchCnn : IBatchScorer
{
    /// <summary>The name its architecture is registered under (a recognizer file's manifest records it).</summary>
    string ArchitectureName { get; }

    /// <summary>Writes the network in its own format (a recognizer file's network entry).</summary>
    void Save(Stream stream);

    /// <summary>Writes the network as an ONNX model with <paramref name="metadata"/>, atomically.</summary>
    void ExportOnnx(string path, IReadOnlyDictionary<string, string>? metadata = null);

    /// <summary>A copy that scores with other test-time rotations.</summary>
    ITorchCnn CopyWithTestTimeRotations(IReadOnlyList<double> rotations);
}

/// <summary>The training assembly's reader of a recognizer file's network entry (found through <see cref="TorchModels"/>).</summary>
internal interface ITorchCnnLoader
{
    /// <summary>The character network stored in <paramref name="network"/>, on <paramref name="device"/>; <paramref name="source"/> names it in errors.</summary>
    ITorchCnn LoadCnn(MemoryStream network, ComputeDevice device, string source);
}
