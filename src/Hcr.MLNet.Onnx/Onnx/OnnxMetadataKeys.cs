namespace Hcr.MLNet.Onnx;

/// <summary>
/// The keys of the model metadata (ONNX <c>metadata_props</c>) that <c>HandwritingCnnTransformer.ExportOnnx</c>
/// writes and <see cref="OnnxCnnModel"/> reads, and those of a text reader's export (<c>HandwritingTextReader.ExportOnnx</c>). Callers may add their own keys (for example their
/// preprocessing settings); these ones are reserved.
/// </summary>
public static class OnnxMetadataKeys
{
    /// <summary>Version of Hcr.MLNet's ONNX layout (input and output names, metadata): <c>"1"</c>.</summary>
    public const string FormatVersion = "hcr.format_version";

    /// <summary>The class names by class index (the characters, for EMNIST data), as a JSON array of strings.</summary>
    public const string Classes = "hcr.classes";

    /// <summary>The name of the network design (<c>CnnArchitecture.Name</c>).</summary>
    public const string Architecture = "hcr.architecture";

    /// <summary>The ML.NET pixels column the exported transformer read (784 floats in 0..1); <see cref="OnnxCnnModel"/> reads the same one by default.</summary>
    public const string PixelsColumn = "hcr.pixels_column";

    /// <summary>The angles (degrees, JSON array) of the turned views whose probabilities the graph averages with the upright image's; <c>[]</c> when it scores the image alone.</summary>
    public const string TestTimeRotations = "hcr.test_time_rotations";

    /// <summary>A human-readable statement of what the input must be.</summary>
    public const string Input = "hcr.input";

    /// <summary>A text reader's characters in class order (class 1 first; class 0 is the CTC blank), as one string.</summary>
    public const string Alphabet = "hcr.alphabet";

    /// <summary>A text reader's widest strip in pixels (decimal): wider lines are squeezed to it before scoring.</summary>
    public const string MaxWidth = "hcr.max_width";

    /// <summary>A text reader's sequence model (<c>Convolution</c>), by name.</summary>
    public const string SequenceModel = "hcr.sequence_model";

    /// <summary>SHA-256 (hex) of the model with this entry removed: a file changed after export is refused as corrupt.</summary>
    public const string ContentSha256 = "hcr.sha256";

    /// <summary>Every reserved key, in the order the exporter writes them.</summary>
    public static IReadOnlyList<string> Reserved { get; } = [FormatVersion, Architecture, Classes, PixelsColumn, TestTimeRotations, Input, Alphabet, MaxWidth, SequenceModel, ContentSha256];
}
