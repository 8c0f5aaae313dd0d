using Hcr.MLNet.Onnx;
using Microsoft.ML;

namespace Hcr.MLNet;

/// <summary>A recognizer's network run by ONNX Runtime, on its model's one session; libtorch is never loaded.</summary>
internal sealed class OnnxCharacterScorer(OnnxCnnModel model) : ICharacterScorer
{
    public OnnxCnnModel Model => model;

    public ITransformer Transformer => model;

    public IReadOnlyList<string> ClassNames => model.ClassNames;

    public void Score(ReadOnlySpan<float> pixels, int count, Span<float> probabilities) => model.Score(pixels, count, probabilities);

    public void Dispose() => model.Dispose();
}
