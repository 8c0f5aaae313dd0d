using System.Globalization;

namespace Hcr.MLNet;

/// <summary>
/// What <see cref="HandwritingRecognizer.CalibrateConfidence(Data.EmnistDataset)"/> fitted and measured: the temperature
/// that makes <see cref="CharacterPrediction.Confidence"/> match how often the recognizer is right on held-out images,
/// and the calibration error and log-loss of those images before and after.
/// </summary>
/// <param name="Temperature">The temperature the recognizer now divides its network's logits by (above 1: the network was overconfident).</param>
/// <param name="Count">Held-out images it was fitted on.</param>
/// <param name="ErrorBefore">Expected calibration error with the previous temperature (0 to 1; see <see cref="RecognizerEvaluation.ExpectedCalibrationError"/>).</param>
/// <param name="ErrorAfter">Expected calibration error with <paramref name="Temperature"/>, on the same images.</param>
/// <param name="LogLossBefore">Mean cross-entropy of the true class with the previous temperature.</param>
/// <param name="LogLossAfter">The same with <paramref name="Temperature"/>; the fit minimises it.</param>
public sealed record ConfidenceCalibration(double Temperature, int Count, double ErrorBefore, double ErrorAfter, double LogLossBefore, double LogLossAfter)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"temperature {Temperature:0.000} on {Count:N0} images: calibration error {ErrorBefore * 100:0.00}% → {ErrorAfter * 100:0.00}%, log-loss {LogLossBefore:0.0000} → {LogLossAfter:0.0000}");
}

/// <summary>
/// Temperature scaling (Guo et al., "On Calibration of Modern Neural Networks", 2017): one number that divides the logits,
/// fitted by minimising the held-out log-loss. It changes no prediction (the order of the classes stays), only how sure
/// the probabilities sound. It works on probabilities, since both engines return them: softmax(z / T) is p^(1/T)
/// renormalised, p being softmax(z). ML.NET's calibrators are for binary classifiers, hence this.
/// </summary>
internal static class TemperatureScaling
{
    /// <summary>Bins of the expected calibration error: the usual 15 equal-width bins of confidence.</summary>
    public const int CalibrationBins = 15;

    // Temperatures outside this range mean the held-out set is not a calibration set (a handful of images, or all wrong).
    public const double MinTemperature = 0.05, MaxTemperature = 20;

    /// <summary>Rescales each row of <paramref name="probabilities"/> (classes wide) in place to temperature <paramref name="temperature"/>.</summary>
    public static void Apply(Span<float> probabilities, int classes, double temperature)
    {
        if (temperature == 1)
            return;
        double inverse = 1 / temperature;
        for (int row = 0; row < probabilities.Length / classes; row++)
        {
            Span<float> p = probabilities.Slice(row * classes, classes);
            // Logs relative to the row's largest probability, so that the powers cannot all underflow.
            double top = 0;
            foreach (float v in p)
                top = Math.Max(top, v);
            if (top <= 0)
                continue;
            double sum = 0;
            for (int c = 0; c < classes; c++)
                sum += p[c] > 0 ? Math.Exp(Math.Log(p[c] / top) * inverse) : 0;
            for (int c = 0; c < classes; c++)
                p[c] = p[c] > 0 ? (float)(Math.Exp(Math.Log(p[c] / top) * inverse) / sum) : 0;
        }
    }

    /// <summary>Mean −log p(true class) of <paramref name="probabilities"/> at <paramref name="temperature"/> (floored at 1e-15 as ML.NET's evaluator does).</summary>
    public static double LogLoss(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, int classes, double temperature)
    {
        double inverse = 1 / temperature, total = 0;
        for (int row = 0; row < labels.Length; row++)
        {
            ReadOnlySpan<float> p = probabilities.Slice(row * classes, classes);
            double top = 0;
            foreach (float v in p)
                top = Math.Max(top, v);
            double sum = 0;
            foreach (float v in p)
                sum += v > 0 ? Math.Exp(Math.Log(v / top) * inverse) : 0;
            float truth = p[labels[row]];
            double probability = truth > 0 ? Math.Exp(Math.Log(truth / top) * inverse) / sum : 0;
            total -= Math.Log(Math.Max(probability, 1e-15));
        }
        return labels.Length == 0 ? double.NaN : total / labels.Length;
    }

    /// <summary>
    /// The temperature between <see cref="MinTemperature"/> and <see cref="MaxTemperature"/> with the lowest log-loss:
    /// golden-section search on log T (the log-loss is convex in 1/T, so it has one minimum there).
    /// </summary>
    public static double Fit(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, int classes)
    {
        double phi = (Math.Sqrt(5) - 1) / 2, a = Math.Log(MinTemperature), b = Math.Log(MaxTemperature);
        double c = b - phi * (b - a), d = a + phi * (b - a);
        double fc = LogLoss(probabilities, labels, classes, Math.Exp(c)), fd = LogLoss(probabilities, labels, classes, Math.Exp(d));
        while (b - a > 1e-4)
        {
            if (fc < fd)
            {
                b = d; d = c; fd = fc;
                c = b - phi * (b - a);
                fc = LogLoss(probabilities, labels, classes, Math.Exp(c));
            }
            else
            {
                a = c; c = d; fc = fd;
                d = a + phi * (b - a);
                fd = LogLoss(probabilities, labels, classes, Math.Exp(d));
            }
        }
        return Math.Exp((a + b) / 2);
    }

    /// <summary>
    /// Expected calibration error: images binned by their top probability into <see cref="CalibrationBins"/> equal bins;
    /// the mean over images of |accuracy − mean confidence| of their bin. 0 when the confidence is the chance of being right.
    /// </summary>
    public static double ExpectedCalibrationError(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, int classes)
    {
        var count = new int[CalibrationBins];
        var correct = new int[CalibrationBins];
        var confidence = new double[CalibrationBins];
        for (int row = 0; row < labels.Length; row++)
        {
            ReadOnlySpan<float> p = probabilities.Slice(row * classes, classes);
            int best = Scoring.ClassScores.ArgMax(p);
            int bin = Math.Clamp((int)(p[best] * CalibrationBins), 0, CalibrationBins - 1);
            count[bin]++;
            confidence[bin] += p[best];
            if (best == labels[row])
                correct[bin]++;
        }
        double error = 0;
        for (int bin = 0; bin < CalibrationBins; bin++)
        {
            if (count[bin] > 0)
                error += Math.Abs(correct[bin] - confidence[bin]);
        }
        return labels.Length == 0 ? double.NaN : error / labels.Length;
    }
}
