using Hcr.MLNet.Training;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace ConsoleDemo.Plots;

/// <summary>The notebook's two graphs side by side: accuracy and loss per epoch, for training and validation.</summary>
internal static class TrainingCurves
{
    private static readonly Color Train = Colors.C0, Validation = Colors.C1, Macro = Colors.C2;

    public static void Save(string path, IReadOnlyList<EpochMetrics> history)
    {
        using Plot accuracy = new(), loss = new();
        Setup(accuracy, "Model accuracy", "accuracy (%)");
        Line(accuracy, "train", Train, history, h => 100 * h.TrainAccuracy);
        Line(accuracy, "validation", Validation, history, h => 100 * h.ValidationAccuracy);
        Line(accuracy, "validation, macro", Macro, history, h => 100 * h.ValidationMacroAccuracy, dashed: true);
        // Accuracy climbs, so the lower right corner is where the curves are not.
        accuracy.ShowLegend(Alignment.LowerRight);

        Setup(loss, "Model loss", "loss");
        Line(loss, "train", Train, history, h => h.TrainLoss);
        Line(loss, "validation", Validation, history, h => h.ValidationLoss);
        loss.ShowLegend(Alignment.UpperRight);

        var multiplot = new Multiplot(accuracy) { Layout = new ScottPlot.MultiplotLayouts.Columns() };
        multiplot.AddPlot(loss);
        multiplot.SavePng(path, 1400, 560);
    }

    private static void Setup(Plot plot, string title, string yLabel)
    {
        PlotFont.Apply(plot);
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(yLabel);
        // Epochs are whole numbers: no tick at 1.5 on a short run.
        plot.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
        // ScottPlot's default labels every 20 pixels or so, which reads as a ruler rather than a scale.
        plot.Axes.Left.TickGenerator = new NumericAutomatic { TickDensity = 0.5 };
    }

    /// <summary>One series over the epochs that measured it (validation may be missing); none at all draws nothing.</summary>
    private static void Line(Plot plot, string name, Color color, IReadOnlyList<EpochMetrics> history, Func<EpochMetrics, double?> value,
        bool dashed = false)
    {
        var measured = history.Where(h => value(h) is not null).ToList();
        if (measured.Count == 0)
            return;
        var line = plot.Add.Scatter(measured.Select(h => (double)h.Epoch).ToArray(), measured.Select(h => value(h)!.Value).ToArray(), color);
        line.LegendText = name;
        line.LineWidth = 2.5f;
        line.MarkerSize = 7;
        line.LinePattern = dashed ? LinePattern.Dashed : LinePattern.Solid;
    }
}
