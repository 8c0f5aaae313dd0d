namespace Hcr.MLNet;

/// <summary>
/// A progress report from <see cref="HandwritingRecognizer.Evaluate(Data.EmnistDataset, IProgress{EvaluationProgress})"/>:
/// sent after each batch of images the network has scored; the last one has <paramref name="Scored"/> equal to <paramref name="Total"/>.
/// </summary>
/// <param name="Scored">Images scored so far.</param>
/// <param name="Total">Images to score.</param>
public readonly record struct EvaluationProgress(int Scored, int Total)
{
    /// <summary>The fraction done, 0 to 1 (1 for an empty set).</summary>
    public double Fraction => Total == 0 ? 1 : (double)Scored / Total;
}
