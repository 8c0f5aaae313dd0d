using ScottPlot;
using SkiaSharp;

namespace ConsoleDemo.Plots;

/// <summary>
/// The plots' font: the first of the common sans-serif families that is installed, because the system default
/// can be a serif (DejaVu Serif on a bare Linux, where ScottPlot's <see cref="Fonts.Sans"/> is that serif too).
/// </summary>
internal static class PlotFont
{
    private static readonly string Family =
        new[] { "Segoe UI", "Helvetica Neue", "Arial", "DejaVu Sans", "Liberation Sans" }
            .FirstOrDefault(name => Fonts.GetTypeface(name, bold: false, italic: false).FamilyName == name) ?? Fonts.Default;

    /// <summary>ScottPlot caches its typefaces: the caller does not dispose them.</summary>
    public static SKTypeface Typeface(bool bold) => Fonts.GetTypeface(Family, bold, italic: false);

    /// <summary>Sets every text of <paramref name="plot"/> in the family, the title in bold.</summary>
    public static void Apply(Plot plot)
    {
        plot.Font.Set(Family);
        // Font.Set pins a regular typeface on every label, which a label's Bold no longer changes.
        plot.Axes.Title.Label.Font = Typeface(bold: true);
    }
}
