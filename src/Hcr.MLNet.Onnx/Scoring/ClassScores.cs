namespace Hcr.MLNet.Scoring;

/// <summary>Reading class probabilities; free of TorchSharp, so that ONNX scoring can use it.</summary>
internal static class ClassScores
{
    /// <summary>Index of the largest probability of one image's row (the first, on a tie).</summary>
    public static int ArgMax(ReadOnlySpan<float> probabilities)
    {
        int best = 0;
        for (int i = 1; i < probabilities.Length; i++)
        {
            if (probabilities[i] > probabilities[best])
                best = i;
        }
        return best;
    }
}
