using Microsoft.ML.Data;

namespace Hcr.MLNet;

/// <summary>Two classes the recognizer mixes up: how often <c>Actual</c> images were read as <c>Predicted</c>.</summary>
/// <param name="Actual">The true character.</param>
/// <param name="Predicted">What the recognizer said instead.</param>
/// <param name="Count">How many images.</param>
/// <param name="Rate">The fraction of <c>Actual</c>'s images read as <c>Predicted</c>.</param>
public readonly record struct ConfusedPair(char Actual, char Predicted, int Count, double Rate);

/// <summary>
/// How well a recognizer reads a labelled set of images, computed with ML.NET's multiclass evaluator
/// (<c>mlContext.MulticlassClassification.Evaluate</c>).
/// </summary>
public sealed class RecognizerEvaluation
{
    private readonly char[] _classes;
    private readonly int[,] _confusion;

    /// <summary>How many of the most probable characters <see cref="TopKAccuracy"/> counts: up to 5, as in <c>Top(5)</c>.</summary>
    internal const int TopK = 5;

    internal RecognizerEvaluation(MulticlassClassificationMetrics metrics, char[] classes, double expectedCalibrationError)
        : this(ConfusionCounts(metrics, classes.Length), classes, metrics.MicroAccuracy, metrics.MacroAccuracy, metrics.LogLoss,
            metrics.TopKAccuracyForAllK?.ToArray(), expectedCalibrationError)
    {
        Metrics = metrics;
    }

    /// <summary>An evaluation read back from a saved recognizer: its figures and confusion counts, without ML.NET's object.</summary>
    internal RecognizerEvaluation(int[,] confusion, char[] classes, double accuracy, double macroAccuracy, double logLoss,
        IReadOnlyList<double>? topKAccuracy = null, double? expectedCalibrationError = null)
    {
        TopKAccuracy = topKAccuracy ?? [];
        ExpectedCalibrationError = expectedCalibrationError;
        _classes = classes;
        _confusion = confusion;
        int n = classes.Length;
        Count = Enumerable.Range(0, n).Sum(a => Enumerable.Range(0, n).Sum(p => confusion[a, p]));
        Accuracy = accuracy;
        MacroAccuracy = macroAccuracy;
        LogLoss = logLoss;
        PerClassAccuracy = Enumerable.Range(0, n).ToDictionary(c => classes[c], c =>
        {
            int total = Enumerable.Range(0, n).Sum(p => confusion[c, p]);
            return total == 0 ? double.NaN : (double)confusion[c, c] / total;
        });
    }

    private static int[,] ConfusionCounts(MulticlassClassificationMetrics metrics, int n)
    {
        var confusion = new int[n, n];
        IReadOnlyList<IReadOnlyList<double>> counts = metrics.ConfusionMatrix.Counts;
        for (int actual = 0; actual < Math.Min(n, counts.Count); actual++)
        {
            for (int predicted = 0; predicted < Math.Min(n, counts[actual].Count); predicted++)
                confusion[actual, predicted] = (int)counts[actual][predicted];
        }
        return confusion;
    }

    /// <summary>
    /// ML.NET's metrics object, for everything else it offers (top-k accuracy, per-class log-loss, …); null for the
    /// <see cref="HandwritingRecognizer.TestEvaluation"/> of a loaded recognizer, which keeps the figures and counts
    /// below but not ML.NET's object (ML.NET cannot rebuild it from them).
    /// </summary>
    public MulticlassClassificationMetrics? Metrics { get; }

    /// <summary>Images evaluated.</summary>
    public int Count { get; }

    /// <summary>Fraction of images read correctly (micro accuracy).</summary>
    public double Accuracy { get; }

    /// <summary>Mean of the per-class accuracies (what a balanced test set such as EMNIST Balanced measures).</summary>
    public double MacroAccuracy { get; }

    /// <summary>Mean cross-entropy of the true class.</summary>
    public double LogLoss { get; }

    /// <summary>
    /// Top-k accuracy for k = 1 to 5 (or to the number of classes, when fewer): element k−1 is the fraction of images whose true character is among the k most probable
    /// (<c>Top(k)</c> of their prediction), from ML.NET's evaluator; empty for an evaluation saved before it was recorded.
    /// </summary>
    public IReadOnlyList<double> TopKAccuracy { get; }

    /// <summary>
    /// Expected calibration error, 0 to 1: the images binned by their <see cref="CharacterPrediction.Confidence"/> into 15 equal
    /// bins, the mean over images of the gap between their bin's accuracy and its mean confidence. Near 0, a confidence
    /// is the chance of being right; <see cref="HandwritingRecognizer.CalibrateConfidence"/> brings it down. Null for an
    /// evaluation saved before it was recorded.
    /// </summary>
    public double? ExpectedCalibrationError { get; }

    /// <summary>The classes, in the order of the confusion matrix's rows and columns.</summary>
    public IReadOnlyList<char> Classes => _classes;

    /// <summary>Confusion counts: [actual class index, predicted class index].</summary>
    public int[,] ConfusionMatrix => (int[,])_confusion.Clone();

    /// <summary>Accuracy of each class (NaN for a class with no images).</summary>
    public IReadOnlyDictionary<char, double> PerClassAccuracy { get; }

    /// <summary>The <paramref name="count"/> most frequent mistakes, most frequent first.</summary>
    public IReadOnlyList<ConfusedPair> MostConfusedPairs(int count = 10)
    {
        int n = _classes.Length;
        var pairs = new List<ConfusedPair>();
        for (int a = 0; a < n; a++)
        {
            int total = Enumerable.Range(0, n).Sum(p => _confusion[a, p]);
            for (int p = 0; p < n; p++)
            {
                if (a != p && _confusion[a, p] > 0)
                    pairs.Add(new ConfusedPair(_classes[a], _classes[p], _confusion[a, p], (double)_confusion[a, p] / total));
            }
        }
        return pairs.OrderByDescending(p => p.Count).ThenBy(p => p.Actual).ThenBy(p => p.Predicted).Take(count).ToList();
    }

    /// <inheritdoc />
    public override string ToString() => $"accuracy {Accuracy:P2}, macro accuracy {MacroAccuracy:P2}, log-loss {LogLoss:F4}"
        + (TopKAccuracy.Count >= 5 ? $", top-3 {TopKAccuracy[2]:P2}, top-5 {TopKAccuracy[4]:P2}" : "")
        + (ExpectedCalibrationError is double ece ? $", calibration error {ece:P2}" : "") + $" on {Count:N0} images";
}
