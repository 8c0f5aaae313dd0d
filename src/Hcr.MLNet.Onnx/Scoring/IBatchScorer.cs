using Microsoft.ML;

namespace Hcr.MLNet.Scoring;

/// <summary>
/// A trained network, whichever engine runs it: TorchSharp (<c>HandwritingCnnTransformer</c>, in the training assembly,
/// through <see cref="ITorchCnn"/>) or ONNX Runtime (<c>OnnxCnnModel</c>). Both are ML.NET transformers that append
/// <c>Score</c> and <c>PredictedLabel</c> (through <see cref="ScoringMapper"/>) and score raw batches, which is what the
/// recognizer calls.
/// </summary>
internal interface IBatchScorer : ITransformer, IDisposable
{
    /// <summary>The classes, by class index.</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>
    /// Class probabilities of <paramref name="count"/> images (count × 784 floats, row-major 28×28 grey
    /// images in 0..1) into <paramref name="probabilities"/> (count × classes). Thread-safe. Pixels are
    /// not range-checked: rows read through ML.NET are the pipeline's business, and the recognizer makes its own.
    /// </summary>
    void Score(ReadOnlySpan<float> pixels, int count, Span<float> probabilities);
}
