namespace Hcr.MLNet.Data;

/// <summary>What <see cref="EmnistDownloader"/> is doing when it reports <see cref="DownloadProgress"/>.</summary>
public enum DownloadStage
{
    /// <summary>Fetching the archive over HTTP (resuming a partial download when there is one).</summary>
    Downloading,

    /// <summary>Copying the split's files out of the archive.</summary>
    Extracting,

    /// <summary>Checking the split's files against their known checksums, or loading them to check their structure.</summary>
    Verifying,
}
