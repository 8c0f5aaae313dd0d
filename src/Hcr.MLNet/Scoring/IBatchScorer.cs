namespace Hcr.MLNet.Scoring;

/// <summary>
/// Whatever runs the network on a batch of images: TorchSharp (<see cref="NetworkScorer"/>) or an ONNX
/// Runtime session (<see cref="Onnx.OnnxCnnModel"/>). The ML.NET plumbing (<see cref="ScoringDataView"/>,
/// <see cref="ScoringRowMapper"/>) only sees this interface, so it loads no TorchSharp type when an ONNX
/// model scores: an application deployed without TorchSharp runs it.
/// </summary>
internal interface IBatchScorer
{
    /// <summary>Floats per image: a 28×28 grey image, row-major, in 0..1.</summary>
    const int PixelCount = 28 * 28;

    /// <summary>Probabilities per image.</summary>
    int ClassCount { get; }

    /// <summary>Class probabilities of <paramref name="count"/> images (count × 784 floats) into <paramref name="probabilities"/> (count × <see cref="ClassCount"/>).</summary>
    void Score(ReadOnlySpan<float> pixels, int count, Span<float> probabilities);
}
