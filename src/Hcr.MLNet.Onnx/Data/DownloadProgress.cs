namespace Hcr.MLNet.Data;

/// <summary>
/// One progress report from <see cref="EmnistDownloader"/>: the stage, the file it concerns, and how
/// many bytes of the stage are done. Byte counts only grow within a stage, except that a download
/// starts again from 0 when the server will not resume it.
/// </summary>
/// <param name="Stage">What is being done.</param>
/// <param name="FileName">The file being downloaded, extracted or verified (a name, not a path).</param>
/// <param name="BytesDone">
/// Bytes done so far in this stage: bytes of the archive on disk while downloading (a resumed download
/// starts from the bytes already there), bytes written over all of the split's files while extracting,
/// bytes of the split's files checked before the current one while verifying.
/// </param>
/// <param name="TotalBytes">The stage's total bytes, or <see langword="null"/> when the server did not say how large the archive is.</param>
public readonly record struct DownloadProgress(DownloadStage Stage, string FileName, long BytesDone, long? TotalBytes);
