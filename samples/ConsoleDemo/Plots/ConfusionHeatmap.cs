using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace ConsoleDemo.Plots;

/// <summary>
/// A heat map of the confusion matrix, each row normalised to its true class so that rare and common classes
/// read on one scale. The colour scale is logarithmic: the diagonal sits near 100% while the confusions span
/// 0.1% to tens of percent, most of which a linear (or square-root) scale leaves all but white.
/// </summary>
internal static class ConfusionHeatmap
{
    /// <summary>The bottom of the scale, white: a few images of a class read as another are noise, not a confusion.</summary>
    private const double Floor = 0.001;

    public static void Save(string path, int[,] counts, IReadOnlyList<char> classes)
    {
        int n = classes.Count;
        var logRates = new double[n, n];
        for (int actual = 0; actual < n; actual++)
        {
            int total = Enumerable.Range(0, n).Sum(p => counts[actual, p]);
            for (int predicted = 0; predicted < n; predicted++)
            {
                double rate = total == 0 ? 0 : (double)counts[actual, predicted] / total;
                logRates[actual, predicted] = Math.Log10(Math.Max(rate, Floor));
            }
        }

        using var plot = new Plot();
        PlotFont.Apply(plot);
        var heatmap = plot.Add.Heatmap(logRates);
        heatmap.Colormap = new ScottPlot.Colormaps.Reversed(new ScottPlot.Colormaps.Blues()); // Blues runs dark to light
        heatmap.ManualRange = new ScottPlot.Range(Math.Log10(Floor), 0);

        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = "share of the true class (log scale)";
        colorBar.Axis.TickGenerator = new NumericManual(
            Enumerable.Range(-3, 4).Select(e => (double)e).ToArray(), ["0.1%", "1%", "10%", "100%"]);

        // Cell (row, column) is centred on (column, n - 1 - row).
        double[] positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        string[] labels = classes.Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();
        plot.Axes.Bottom.TickGenerator = new NumericManual(positions, labels);
        plot.Axes.Left.TickGenerator = new NumericManual(positions, labels.Reverse().ToArray());
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.HideGrid();
        plot.Title("Confusion matrix (each row: one true class)");
        plot.XLabel("predicted");
        plot.YLabel("true");

        // Square cells, about 20 pixels for EMNIST's 47 classes: room for a character under each column.
        plot.SavePng(path, 1135, 1000);
    }
}
