using Hcr.MLNet.Data;
using Hcr.MLNet.Tests.TestSupport;

namespace Hcr.MLNet.Tests.Characters;

/// <summary>
/// Temperature scaling of <see cref="CharacterPrediction.Confidence"/>: the fit finds the temperature that made the
/// labels, the calibration error falls with it, no prediction changes, and the temperature travels with the recognizer.
/// </summary>
public class ConfidenceCalibrationTests(RecognizerFixture fixture) : IClassFixture<RecognizerFixture>
{
    private const int Classes = 6;

    /// <summary>Probabilities softmax(z) of random logits, and labels drawn from softmax(z / <paramref name="temperature"/>).</summary>
    private static (float[] Probabilities, int[] Labels) Overconfident(int count, double temperature, int seed)
    {
        var random = new Random(seed);
        var probabilities = new float[count * Classes];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            double[] z = Enumerable.Range(0, Classes).Select(_ => random.NextDouble() * 8).ToArray();
            double sum = z.Sum(Math.Exp), sumTrue = z.Sum(v => Math.Exp(v / temperature));
            for (int c = 0; c < Classes; c++)
                probabilities[i * Classes + c] = (float)(Math.Exp(z[c]) / sum);
            double u = random.NextDouble(), acc = 0;
            labels[i] = Classes - 1;
            for (int c = 0; c < Classes; c++)
            {
                acc += Math.Exp(z[c] / temperature) / sumTrue;
                if (u < acc)
                {
                    labels[i] = c;
                    break;
                }
            }
        }
        return (probabilities, labels);
    }

    [Theory]
    [InlineData(2.5)]
    [InlineData(0.6)]
    public void The_fit_finds_the_temperature_that_drew_the_labels_and_lowers_the_calibration_error(double temperature)
    {
        (float[] p, int[] labels) = Overconfident(20_000, temperature, seed: 5);
        double fitted = TemperatureScaling.Fit(p, labels, Classes);
        Assert.InRange(fitted, temperature * 0.93, temperature * 1.07);

        double before = TemperatureScaling.ExpectedCalibrationError(p, labels, Classes);
        int[] argmax = Enumerable.Range(0, labels.Length).Select(i => Hcr.MLNet.Scoring.ClassScores.ArgMax(p.AsSpan(i * Classes, Classes))).ToArray();
        TemperatureScaling.Apply(p, Classes, fitted);
        double after = TemperatureScaling.ExpectedCalibrationError(p, labels, Classes);
        Assert.True(after < before / 3, $"calibration error {before:P2} before, {after:P2} after");
        Assert.True(after < 0.02, $"calibration error {after:P2} after the fit");
        for (int i = 0; i < labels.Length; i++)
        {
            Assert.Equal(argmax[i], Hcr.MLNet.Scoring.ClassScores.ArgMax(p.AsSpan(i * Classes, Classes)));
            Assert.Equal(1.0, p.AsSpan(i * Classes, Classes).ToArray().Sum(v => (double)v), 4);
        }
    }

    [Fact]
    public void Applying_a_temperature_is_softmax_of_the_logits_divided_by_it()
    {
        double[] z = [2.0, -1.0, 0.5, 3.0];
        float[] p = z.Select(v => (float)(Math.Exp(v) / z.Sum(Math.Exp))).ToArray();
        TemperatureScaling.Apply(p, z.Length, 2.0);
        double[] expected = z.Select(v => Math.Exp(v / 2) / z.Sum(w => Math.Exp(w / 2))).ToArray();
        Assert.Equal(expected, p.Select(v => (double)v), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(TemperatureScaling.LogLoss(p, [3], z.Length, 1), -Math.Log(expected[3]), 6);
    }

    [Fact]
    public void A_calibrated_recognizer_keeps_its_answers_and_saves_its_temperature()
    {
        using var dir = new TempDirectory();
        fixture.Recognizer.Save(dir.File("model.hcr"));
        using HandwritingRecognizer recognizer = HandwritingRecognizer.Load(dir.File("model.hcr"));
        Assert.Equal(1, recognizer.ConfidenceTemperature);
        RecognizerEvaluation before = recognizer.Evaluate(fixture.Test);
        CharacterPrediction first = recognizer.PredictTile(fixture.Test.GetImage(0));

        ConfidenceCalibration calibration = recognizer.CalibrateConfidence(fixture.Test);

        Assert.Equal(calibration.Temperature, recognizer.ConfidenceTemperature);
        Assert.NotEqual(1, calibration.Temperature);
        Assert.Equal(fixture.Test.Count, calibration.Count);
        Assert.True(calibration.LogLossAfter <= calibration.LogLossBefore + 1e-9, calibration.ToString());
        RecognizerEvaluation after = recognizer.Evaluate(fixture.Test);
        Assert.Equal(before.Accuracy, after.Accuracy);
        Assert.Equal(calibration.LogLossAfter, after.LogLoss, 3);
        Assert.Equal(calibration.ErrorAfter, after.ExpectedCalibrationError!.Value, 6);
        CharacterPrediction again = recognizer.PredictTile(fixture.Test.GetImage(0));
        Assert.Equal(first.Character, again.Character);
        Assert.NotEqual(first.Confidence, again.Confidence);
        // Top-k: from ML.NET's evaluator, never falling as k grows, top-1 the accuracy.
        Assert.Equal(5, after.TopKAccuracy.Count);
        Assert.Equal(after.Accuracy, after.TopKAccuracy[0], 9);
        for (int k = 1; k < 5; k++)
            Assert.True(after.TopKAccuracy[k] >= after.TopKAccuracy[k - 1]);

        recognizer.Save(dir.File("calibrated.hcr"));
        using HandwritingRecognizer loaded = HandwritingRecognizer.Load(dir.File("calibrated.hcr"));
        Assert.Equal(recognizer.ConfidenceTemperature, loaded.ConfidenceTemperature);
        Assert.Equal(again.Probabilities, loaded.PredictTile(fixture.Test.GetImage(0)).Probabilities);
    }

    [SlowFact]
    public void The_temperature_travels_through_ONNX_and_the_shipped_files_stay_as_shipped()
    {
        using var dir = new TempDirectory();
        fixture.Recognizer.Save(dir.File("model.hcr"));
        using HandwritingRecognizer recognizer = HandwritingRecognizer.Load(dir.File("model.hcr"));
        recognizer.CalibrateConfidence(fixture.Test);
        recognizer.ExportOnnx(dir.File("model.onnx"));
        using HandwritingRecognizer onnx = HandwritingRecognizer.LoadOnnx(dir.File("model.onnx"));
        Assert.Equal(recognizer.ConfidenceTemperature, onnx.ConfidenceTemperature);
        Assert.Equal(recognizer.PredictTile(fixture.Test.GetImage(1)).Probabilities, onnx.PredictTile(fixture.Test.GetImage(1)).Probabilities,
            (a, b) => Math.Abs(a - b) < 1e-4);

        using HandwritingRecognizer pretrained = HandwritingRecognizer.LoadPretrained();
        // The glyphs' letters only (the pretrained recognizer has no '.').
        int[] letters = Enumerable.Range(0, fixture.Test.Count).Where(i => char.IsLetter(fixture.Test.GetCharacter(i))).ToArray();
        char[] classes = fixture.Test.Classes.Where(char.IsLetter).ToArray();
        EmnistDataset tiles = EmnistDataset.Create(letters.SelectMany(i => fixture.Test.GetImage(i).ToArray()).ToArray(),
            letters.Select(i => Array.IndexOf(classes, fixture.Test.GetCharacter(i))).ToArray(), classes, "glyph letters");
        pretrained.CalibrateConfidence(tiles);
        var e = Assert.Throws<NotSupportedException>(() => pretrained.Save(dir.File("pretrained.hcr")));
        Assert.Contains("LoadPretrained(ComputeDevice.Cpu)", e.Message);
        Assert.Throws<NotSupportedException>(() => pretrained.ExportOnnx(dir.File("pretrained.onnx")));
    }

    [Fact]
    public void Too_few_or_unknown_images_are_refused()
    {
        using var dir = new TempDirectory();
        fixture.Recognizer.Save(dir.File("model.hcr"));
        using HandwritingRecognizer recognizer = HandwritingRecognizer.Load(dir.File("model.hcr"));
        EmnistDataset few = fixture.Test.Subset(Enumerable.Range(0, HandwritingRecognizer.MinCalibrationImages - 1).ToArray());
        Assert.Contains("at least", Assert.Throws<ArgumentException>(() => recognizer.CalibrateConfidence(few)).Message);
        EmnistDataset other = EmnistDataset.Create(new byte[200 * 784], new int[200], ['Q'], "q-only");
        Assert.Contains("q-only", Assert.Throws<ArgumentException>(() => recognizer.CalibrateConfidence(other)).Message);
        Assert.Equal(1, recognizer.ConfidenceTemperature);
    }
}
