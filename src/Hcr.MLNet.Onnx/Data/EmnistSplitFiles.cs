namespace Hcr.MLNet.Data;

/// <summary>
/// The five files of one EMNIST split, as names or paths: both parts' images and labels, and the
/// mapping. The order of <see cref="All"/> is the order the downloader returns them in.
/// </summary>
internal sealed record EmnistSplitFiles(string TrainImages, string TrainLabels, string TestImages, string TestLabels, string Mapping)
{
    /// <summary>The official file names of <paramref name="split"/> (see <see cref="EmnistFileNames"/>).</summary>
    public static EmnistSplitFiles Named(EmnistSplit split) => new(
        EmnistFileNames.Images(split, EmnistPart.Train),
        EmnistFileNames.Labels(split, EmnistPart.Train),
        EmnistFileNames.Images(split, EmnistPart.Test),
        EmnistFileNames.Labels(split, EmnistPart.Test),
        EmnistFileNames.Mapping(split));

    /// <summary>Train images, train labels, test images, test labels, mapping.</summary>
    public IReadOnlyList<string> All => [TrainImages, TrainLabels, TestImages, TestLabels, Mapping];

    /// <summary>The same files with <paramref name="change"/> applied to each name or path.</summary>
    public EmnistSplitFiles Select(Func<string, string> change) =>
        new(change(TrainImages), change(TrainLabels), change(TestImages), change(TestLabels), change(Mapping));
}
