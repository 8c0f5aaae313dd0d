using System.Globalization;

namespace ConsoleDemo;

/// <summary>Numbers and counts as the demo prints them, the same on every machine (invariant culture).</summary>
internal static class Text
{
    /// <summary>"1 epoch", "12 epochs".</summary>
    public static string Count(int count, string noun) =>
        $"{count.ToString("N0", CultureInfo.InvariantCulture)} {noun}{(count == 1 ? "" : "s")}";

    /// <summary>Three significant digits, exponents short and lower case: 0.003 → "0.003", 3E-07 → "3e-7".</summary>
    public static string Number(double value)
    {
        string text = value.ToString("G3", CultureInfo.InvariantCulture);
        int e = text.IndexOf('E', StringComparison.Ordinal);
        return e < 0 ? text : $"{text[..e]}e{int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)}";
    }
}
