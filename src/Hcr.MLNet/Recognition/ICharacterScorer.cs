using Microsoft.ML;

namespace Hcr.MLNet;

/// <summary>
/// The network behind a recognizer, whichever engine runs it: TorchSharp (trained or loaded from a
/// recognizer file) or ONNX Runtime (loaded from an exported ONNX file, without libtorch).
/// </summary>
internal interface ICharacterScorer : IDisposable
{
    /// <summary>The ML.NET transformer: reads <c>Pixels</c> (784 floats, 0..1) and adds <c>Score</c> and <c>PredictedLabel</c>.</summary>
    ITransformer Transformer { get; }

    /// <summary>The class names, by class index.</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>Probabilities of <paramref name="count"/> images (count × 784 floats in 0..1) into count × classes floats.</summary>
    void Score(ReadOnlySpan<float> pixels, int count, Span<float> probabilities);
}
