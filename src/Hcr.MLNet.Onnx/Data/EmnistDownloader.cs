namespace Hcr.MLNet.Data;

/// <summary>
/// Downloads NIST's EMNIST archive and extracts one split's files from it, verified, under their
/// official names, where <see cref="EmnistDataset.Load"/> finds them.
/// </summary>
/// <remarks>
/// <para>
/// The archive is downloaded to <c>gzip.zip.partial</c> in the target folder and renamed to
/// <c>gzip.zip</c> once complete. An interrupted or cancelled download leaves the partial file, and the
/// next call resumes it with an HTTP range request (or starts over if the server ignores ranges).
/// </para>
/// <para>
/// Only the requested split is extracted: both parts' images and labels and the mapping. Each file is
/// written under a temporary name and renamed once every file has been verified: by the MD5 checksum in
/// <see cref="EmnistDownloadOptions.Checksums"/> when there is one, otherwise by loading it. A call for
/// a split whose files are already present and verified makes no request at all, and a kept archive
/// (<see cref="EmnistDownloadOptions.KeepArchive"/>) serves later splits without a new download.
/// </para>
/// <para>The downloader never writes to the console; it reports through <see cref="IProgress{T}"/>.</para>
/// </remarks>
public sealed class EmnistDownloader
{
    // One client for the process: HttpClient is meant to be reused, not created per download.
    private static readonly Lazy<HttpClient> SharedClient = new(() => new HttpClient());

    /// <summary>Creates a downloader; <paramref name="options"/> defaults to NIST's archive and the official checksums.</summary>
    public EmnistDownloader(EmnistDownloadOptions? options = null)
    {
        Options = options ?? new EmnistDownloadOptions();
    }

    /// <summary>The settings in use; changes apply to later calls.</summary>
    public EmnistDownloadOptions Options { get; }

    /// <summary>
    /// Makes sure <paramref name="directory"/> holds the verified files of <paramref name="split"/>,
    /// downloading and extracting them if needed. The folder is created if missing.
    /// </summary>
    /// <param name="directory">Where the archive and the split's files go.</param>
    /// <param name="split">The split to extract.</param>
    /// <param name="progress">Receives progress reports; see <see cref="DownloadProgress"/>.</param>
    /// <param name="cancellationToken">Cancels the work; a partial download is kept to resume later.</param>
    /// <returns>
    /// The full paths of the split's five files, in this order: train images, train labels, test
    /// images, test labels, mapping.
    /// </returns>
    /// <exception cref="HttpRequestException">The server could not be reached or answered with an error status.</exception>
    /// <exception cref="EmnistFormatException">
    /// A file failed its checksum or is malformed (the message names it; nothing is left under its
    /// name), or the archive is not a readable zip (it is deleted, so that the next call downloads it
    /// again) or lacks the split.
    /// </exception>
    /// <exception cref="IOException">The download broke off or stalled; the next call resumes it.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; a partial download is kept to resume later.</exception>
    /// <exception cref="InvalidOperationException"><see cref="Options"/> has no absolute archive URI or a stall timeout that is not positive.</exception>
    public async Task<IReadOnlyList<string>> DownloadAsync(string directory, EmnistSplit split,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        // The options are settable at any time, so they are checked when used.
        Uri uri = Options.ArchiveUri ?? throw new InvalidOperationException("EmnistDownloadOptions.ArchiveUri is not set.");
        if (!uri.IsAbsoluteUri)
            throw new InvalidOperationException($"EmnistDownloadOptions.ArchiveUri must be an absolute URI, not '{uri}'.");
        TimeSpan stallTimeout = Options.StallTimeout;
        if (stallTimeout <= TimeSpan.Zero && stallTimeout != Timeout.InfiniteTimeSpan)
            throw new InvalidOperationException($"EmnistDownloadOptions.StallTimeout must be positive or infinite, not {stallTimeout}.");

        EmnistSplitFiles targets = EmnistSplitFiles.Named(split).Select(name => Path.Combine(directory, name));
        var verifier = new EmnistFileVerifier(Options.Checksums);
        if (await verifier.AreValidAsync(targets, progress, cancellationToken).ConfigureAwait(false))
            return targets.All;

        Directory.CreateDirectory(directory);
        string archive = Path.Combine(directory, ArchiveFileName(uri));
        if (!File.Exists(archive))
        {
            HttpClient client = Options.HttpClient ?? SharedClient.Value;
            await ResumableDownload.DownloadAsync(client, uri, archive, stallTimeout, progress, cancellationToken).ConfigureAwait(false);
        }
        await EmnistArchiveExtractor.ExtractAsync(archive, targets, verifier, progress, cancellationToken).ConfigureAwait(false);
        if (!Options.KeepArchive)
            File.Delete(archive);
        return targets.All;
    }

    /// <summary>The archive's name in the folder: the last segment of its URI (<c>gzip.zip</c> for NIST's).</summary>
    internal static string ArchiveFileName(Uri uri)
    {
        string name = Path.GetFileName(Uri.UnescapeDataString(uri.AbsolutePath));
        return name.Length == 0 || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 ? "emnist-archive.zip" : name;
    }
}
