using Hcr.MLNet.Training;
using Microsoft.ML;

namespace Hcr.MLNet;

/// <summary>A recognizer's network run by TorchSharp.</summary>
internal sealed class TorchCharacterScorer(HandwritingCnnTransformer network) : ICharacterScorer
{
    public HandwritingCnnTransformer Network => network;

    public ITransformer Transformer => network;

    public IReadOnlyList<string> ClassNames => network.ClassNames;

    public void Score(ReadOnlySpan<float> pixels, int count, Span<float> probabilities) => network.Scorer.Score(pixels, count, probabilities);

    public void Dispose() => network.Dispose();
}
