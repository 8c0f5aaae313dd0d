using SkiaSharp;

namespace ConsoleDemo.Plots;

/// <summary>A heat map of the confusion matrix, rows normalised to the true class (so every class reads the same scale).</summary>
internal static class ConfusionHeatmap
{
    public static void Save(string path, int[,] counts, IReadOnlyList<char> classes)
    {
        int n = classes.Count;
        int cell = Math.Max(16, 560 / n);
        const int margin = 60, top = 70;
        int size = Math.Max(margin + n * cell + 90, 640);
        PlotStyle.SavePng(path, size, top + n * cell + 60, canvas =>
        {
            using (SKPaint title = PlotStyle.Text(18, align: SKTextAlign.Center, bold: true))
                canvas.DrawText("Confusion matrix (each row: one true class)", size / 2f, 28, title);
            using SKPaint label = PlotStyle.Text(11, align: SKTextAlign.Center);
            for (int actual = 0; actual < n; actual++)
            {
                int total = Enumerable.Range(0, n).Sum(p => counts[actual, p]);
                for (int predicted = 0; predicted < n; predicted++)
                {
                    double rate = total == 0 ? 0 : (double)counts[actual, predicted] / total;
                    using SKPaint fill = PlotStyle.Fill(Colour(rate));
                    canvas.DrawRect(margin + predicted * cell, top + actual * cell, cell, cell, fill);
                }
                canvas.DrawText(classes[actual].ToString(), margin - 10, top + actual * cell + cell / 2f + 4, label);
                canvas.DrawText(classes[actual].ToString(), margin + actual * cell + cell / 2f, top - 6, label);
            }
            using (SKPaint axis = PlotStyle.Text(13, align: SKTextAlign.Center))
            {
                canvas.DrawText("predicted", margin + n * cell / 2f, top - 24, axis);
                canvas.DrawText("true", 16, top + n * cell / 2f, axis);
            }
            // Colour bar.
            float barLeft = margin + n * cell + 30;
            for (int i = 0; i < 100; i++)
            {
                using SKPaint fill = PlotStyle.Fill(Colour(1 - i / 99.0));
                canvas.DrawRect(barLeft, top + i * n * cell / 100f, 16, n * cell / 100f + 1, fill);
            }
            using SKPaint barText = PlotStyle.Text(11);
            canvas.DrawText("100%", barLeft + 20, top + 10, barText);
            canvas.DrawText("0%", barLeft + 20, top + n * cell, barText);
        });
    }

    /// <summary>White → dark blue, with a square-root scale so that rare confusions stay visible.</summary>
    private static SKColor Colour(double rate)
    {
        double t = Math.Sqrt(Math.Clamp(rate, 0, 1));
        return new SKColor((byte)(255 - t * 247), (byte)(255 - t * 207), (byte)(255 - t * 148));
    }
}
