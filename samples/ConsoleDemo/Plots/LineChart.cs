using System.Globalization;
using SkiaSharp;

namespace ConsoleDemo.Plots;

/// <summary>
/// A line chart with axes, grid, ticks and a legend, drawn into a rectangle of a canvas. The legend sits
/// in a top or bottom corner (where the curves are not expected to be) on an opaque box.
/// </summary>
internal sealed class LineChart(string title, string xLabel, string yLabel, bool legendAtBottom = false)
{
    private static readonly double[] NiceSteps = [1, 2, 5, 10];

    private readonly List<(string Name, SKColor Color, double[] X, double[] Y)> _series = [];

    public LineChart Add(string name, SKColor color, double[] x, double[] y)
    {
        if (x.Length > 0)
            _series.Add((name, color, x, y));
        return this;
    }

    public void Draw(SKCanvas canvas, SKRect area)
    {
        var plot = new SKRect(area.Left + 70, area.Top + 40, area.Right - 20, area.Bottom - 55);
        using (SKPaint titlePaint = PlotStyle.Text(18, align: SKTextAlign.Center, bold: true))
            canvas.DrawText(title, area.MidX, area.Top + 24, titlePaint);

        double[] xs = _series.SelectMany(s => s.X).DefaultIfEmpty(0).ToArray();
        double[] ys = _series.SelectMany(s => s.Y).Where(double.IsFinite).DefaultIfEmpty(0).ToArray();
        (double xMin, double xMax) = (xs.Min(), Math.Max(xs.Max(), xs.Min() + 1));
        (double yMin, double yMax) = Pad(ys.Min(), ys.Max());
        float Px(double x) => (float)(plot.Left + (x - xMin) / (xMax - xMin) * plot.Width);
        float Py(double y) => (float)(plot.Bottom - (y - yMin) / (yMax - yMin) * plot.Height);

        using SKPaint grid = PlotStyle.Stroke(PlotStyle.Grid, 1);
        using SKPaint axis = PlotStyle.Stroke(PlotStyle.Axis, 1.5f);
        using SKPaint tick = PlotStyle.Text(12, align: SKTextAlign.Right);
        using SKPaint xTick = PlotStyle.Text(12, align: SKTextAlign.Center);
        foreach (double y in Ticks(yMin, yMax))
        {
            canvas.DrawLine(plot.Left, Py(y), plot.Right, Py(y), grid);
            canvas.DrawText(y.ToString("G3", CultureInfo.InvariantCulture), plot.Left - 6, Py(y) + 4, tick);
        }
        foreach (double x in Ticks(xMin, xMax).Where(x => Math.Abs(x - Math.Round(x)) < 1e-9))
        {
            canvas.DrawLine(Px(x), plot.Top, Px(x), plot.Bottom, grid);
            canvas.DrawText(x.ToString("0", CultureInfo.InvariantCulture), Px(x), plot.Bottom + 18, xTick);
        }
        canvas.DrawRect(plot, axis);

        using (SKPaint label = PlotStyle.Text(14, align: SKTextAlign.Center))
        {
            canvas.DrawText(xLabel, plot.MidX, area.Bottom - 12, label);
            canvas.Save();
            canvas.RotateDegrees(-90, area.Left + 18, plot.MidY);
            canvas.DrawText(yLabel, area.Left + 18, plot.MidY, label);
            canvas.Restore();
        }

        foreach ((_, SKColor color, double[] x, double[] y) in _series)
        {
            using SKPaint line = PlotStyle.Stroke(color, 2.5f);
            using var path = new SKPath();
            for (int i = 0; i < x.Length; i++)
            {
                if (i == 0) path.MoveTo(Px(x[i]), Py(y[i]));
                else path.LineTo(Px(x[i]), Py(y[i]));
            }
            canvas.DrawPath(path, line);
            using SKPaint dot = PlotStyle.Fill(color);
            for (int i = 0; i < x.Length; i++)
                canvas.DrawCircle(Px(x[i]), Py(y[i]), 3.5f, dot);
        }
        DrawLegend(canvas, plot);
    }

    private void DrawLegend(SKCanvas canvas, SKRect plot)
    {
        if (_series.Count == 0)
            return;
        float height = 20 * _series.Count + 8;
        float top = legendAtBottom ? plot.Bottom - 10 - height : plot.Top + 10;
        var box = new SKRect(plot.Right - 160, top, plot.Right - 10, top + height);
        using (SKPaint background = PlotStyle.Fill(SKColors.White))
            canvas.DrawRect(box, background);
        using (SKPaint border = PlotStyle.Stroke(PlotStyle.Grid, 1))
            canvas.DrawRect(box, border);
        float legendY = box.Top + 18;
        foreach ((string name, SKColor color, _, _) in _series)
        {
            using SKPaint line = PlotStyle.Stroke(color, 2.5f);
            canvas.DrawLine(box.Left + 10, legendY - 4, box.Left + 35, legendY - 4, line);
            using SKPaint legend = PlotStyle.Text(13);
            canvas.DrawText(name, box.Left + 42, legendY, legend);
            legendY += 20;
        }
    }

    private static (double Min, double Max) Pad(double min, double max)
    {
        if (max - min < 1e-9)
            return (min - 0.5, max + 0.5);
        double margin = (max - min) * 0.08;
        return (min - margin, max + margin);
    }

    /// <summary>About six "nice" tick values (1, 2 or 5 times a power of ten apart) inside [min, max].</summary>
    internal static IEnumerable<double> Ticks(double min, double max)
    {
        double raw = (max - min) / 6;
        double power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = NiceSteps.Select(m => m * power).First(s => s >= raw);
        for (double t = Math.Ceiling(min / step) * step; t <= max + 1e-12; t += step)
            yield return Math.Round(t, 10);
    }
}
