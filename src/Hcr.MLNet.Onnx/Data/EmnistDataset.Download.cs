namespace Hcr.MLNet.Data;

public sealed partial class EmnistDataset
{
    /// <summary>
    /// Downloads NIST's EMNIST archive into <paramref name="directory"/> and extracts the verified files
    /// of <paramref name="split"/>, ready for <see cref="Load"/>; does nothing when they are already
    /// there. Uses an <see cref="EmnistDownloader"/> with default options; create one yourself for
    /// another archive URI, your own <see cref="HttpClient"/> or other checksums.
    /// </summary>
    /// <returns>The full paths of the split's files: train images, train labels, test images, test labels, mapping.</returns>
    /// <exception cref="HttpRequestException">The server could not be reached or answered with an error status.</exception>
    /// <exception cref="EmnistFormatException">A file failed verification, or the archive is damaged or lacks the split.</exception>
    /// <exception cref="IOException">The download broke off or stalled; calling again resumes it.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; calling again resumes the download.</exception>
    public static Task<IReadOnlyList<string>> DownloadAsync(string directory, EmnistSplit split,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        new EmnistDownloader().DownloadAsync(directory, split, progress, cancellationToken);
}
