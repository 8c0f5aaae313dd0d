namespace Hcr.MLNet.Data;

/// <summary>The official NIST file names of each EMNIST split and part.</summary>
internal static class EmnistFileNames
{
    /// <summary>The name used in file names: <c>balanced</c>, <c>byclass</c>, <c>bymerge</c>, …</summary>
    public static string SplitName(EmnistSplit split) => split switch
    {
        EmnistSplit.Balanced => "balanced",
        EmnistSplit.ByClass => "byclass",
        EmnistSplit.ByMerge => "bymerge",
        EmnistSplit.Digits => "digits",
        EmnistSplit.Letters => "letters",
        EmnistSplit.Mnist => "mnist",
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown EMNIST split."),
    };

    private static string PartName(EmnistPart part) => part switch
    {
        EmnistPart.Train => "train",
        EmnistPart.Test => "test",
        _ => throw new ArgumentOutOfRangeException(nameof(part), part, "Unknown EMNIST part."),
    };

    /// <summary>For example <c>emnist-balanced-train-images-idx3-ubyte.gz</c>.</summary>
    public static string Images(EmnistSplit split, EmnistPart part) =>
        $"emnist-{SplitName(split)}-{PartName(part)}-images-idx3-ubyte.gz";

    /// <summary>For example <c>emnist-balanced-train-labels-idx1-ubyte.gz</c>.</summary>
    public static string Labels(EmnistSplit split, EmnistPart part) =>
        $"emnist-{SplitName(split)}-{PartName(part)}-labels-idx1-ubyte.gz";

    /// <summary>For example <c>emnist-balanced-mapping.txt</c>.</summary>
    public static string Mapping(EmnistSplit split) => $"emnist-{SplitName(split)}-mapping.txt";

    /// <summary>The widely shared CSV export, for example <c>emnist-balanced-train.csv</c>.</summary>
    public static string Csv(EmnistSplit split, EmnistPart part) =>
        $"emnist-{SplitName(split)}-{PartName(part)}.csv";
}
