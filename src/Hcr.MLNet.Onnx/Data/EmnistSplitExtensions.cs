namespace Hcr.MLNet.Data;

/// <summary>Names of <see cref="EmnistSplit"/> values for people.</summary>
public static class EmnistSplitExtensions
{
    /// <summary>The split's name as the EMNIST paper writes it: Balanced, ByClass, ByMerge, Digits, Letters or MNIST.</summary>
    public static string DisplayName(this EmnistSplit split) => split switch
    {
        EmnistSplit.Balanced => "Balanced",
        EmnistSplit.ByClass => "ByClass",
        EmnistSplit.ByMerge => "ByMerge",
        EmnistSplit.Digits => "Digits",
        EmnistSplit.Letters => "Letters",
        EmnistSplit.Mnist => "MNIST",
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown EMNIST split."),
    };
}
