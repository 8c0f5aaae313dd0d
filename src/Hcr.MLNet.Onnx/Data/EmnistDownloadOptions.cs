namespace Hcr.MLNet.Data;

/// <summary>Settings of an <see cref="EmnistDownloader"/>: where the archive comes from and how files are checked.</summary>
public sealed class EmnistDownloadOptions
{
    /// <summary>NIST's archive of every EMNIST split as gzipped IDX files (about 560 MB).</summary>
    public static Uri DefaultArchiveUri { get; } = new("https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip");

    /// <summary>
    /// Where to fetch the archive: a zip holding <c>gzip/emnist-&lt;split&gt;-&lt;part&gt;-images-idx3-ubyte.gz</c>,
    /// the matching labels files and <c>gzip/emnist-&lt;split&gt;-mapping.txt</c>, as NIST's does. The
    /// server should honour HTTP range requests for an interrupted download to resume; when it does not,
    /// the download starts again from the beginning. Defaults to <see cref="DefaultArchiveUri"/>.
    /// </summary>
    public Uri ArchiveUri { get; set; } = DefaultArchiveUri;

    /// <summary>
    /// The client that fetches the archive, for proxies, certificates or tests; the downloader does not
    /// dispose it. <see langword="null"/> (the default) uses one client shared by the whole process.
    /// </summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>
    /// Expected MD5 checksums (hexadecimal, either case) keyed by file name. A file listed here must
    /// match; a file not listed is verified by loading it with <see cref="EmnistDataset.LoadIdx"/>.
    /// Starts as a copy of <see cref="EmnistChecksums.Official"/>; add or replace entries to check an
    /// archive of your own.
    /// </summary>
    public IDictionary<string, string> Checksums { get; } =
        new Dictionary<string, string>(EmnistChecksums.Official, StringComparer.Ordinal);

    /// <summary>
    /// How long the download may receive nothing before it is abandoned (the partial file stays for the
    /// next call to resume). Defaults to one minute; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.
    /// </summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Whether to keep the downloaded archive after extracting a split, so that other splits can be
    /// extracted later without downloading it again. Defaults to <see langword="true"/>.
    /// </summary>
    public bool KeepArchive { get; set; } = true;
}
