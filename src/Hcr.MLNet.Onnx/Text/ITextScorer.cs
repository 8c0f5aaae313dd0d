namespace Hcr.MLNet.Text;

/// <summary>
/// What turns a batch of strips into class probabilities for a <see cref="HandwritingTextReader"/>: its TorchSharp
/// network (an <see cref="ITorchTextScorer"/> from the training assembly) or an ONNX Runtime session (<see cref="OnnxTextScorer"/>). Everything else
/// (normalising, batching, decoding) is shared, so that both read alike. Safe to call from several threads.
/// </summary>
internal interface ITextScorer : IDisposable
{
    /// <summary>What reads the features along the line.</summary>
    TextSequenceModel SequenceModel { get; }

    /// <summary>
    /// The class probabilities of <paramref name="count"/> strips of <paramref name="width"/> columns (a multiple of
    /// <see cref="TextStrip.WidthStride"/>; <paramref name="pixels"/>: count × 32 × width, row-major, one strip after
    /// another), as count × (width / stride) × classes floats.
    /// </summary>
    float[] Score(float[] pixels, int count, int width);
}
