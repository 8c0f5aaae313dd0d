using Hcr.MLNet.Training;
using SkiaSharp;

namespace ConsoleDemo.Plots;

/// <summary>The notebook's two graphs: accuracy and loss per epoch, for training and validation.</summary>
internal static class TrainingCurves
{
    public static void Save(string path, IReadOnlyList<EpochMetrics> history)
    {
        double[] epochs = history.Select(h => (double)h.Epoch).ToArray();
        var validated = history.Where(h => h.ValidationAccuracy is not null).ToList();
        double[] validationEpochs = validated.Select(h => (double)h.Epoch).ToArray();

        var accuracy = new LineChart("Model accuracy", "epoch", "accuracy", legendAtBottom: true)
            .Add("train", PlotStyle.Train, epochs, history.Select(h => h.TrainAccuracy).ToArray())
            .Add("validation", PlotStyle.Validation, validationEpochs, validated.Select(h => h.ValidationAccuracy!.Value).ToArray());
        var loss = new LineChart("Model loss", "epoch", "loss")
            .Add("train", PlotStyle.Train, epochs, history.Select(h => h.TrainLoss).ToArray())
            .Add("validation", PlotStyle.Validation, validationEpochs, validated.Select(h => h.ValidationLoss!.Value).ToArray());

        PlotStyle.SavePng(path, 1200, 480, canvas =>
        {
            accuracy.Draw(canvas, new SKRect(0, 0, 600, 480));
            loss.Draw(canvas, new SKRect(600, 0, 1200, 480));
        });
    }
}
