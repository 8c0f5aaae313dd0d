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
