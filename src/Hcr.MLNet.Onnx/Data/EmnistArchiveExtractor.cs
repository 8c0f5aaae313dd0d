using System.IO.Compression;

namespace Hcr.MLNet.Data;

/// <summary>
/// Copies one split's files out of an EMNIST zip (NIST's layout: <c>gzip/emnist-…</c>) into a folder.
/// Each file is written under a temporary name, all of them are verified, and only then are they
/// renamed to their official names: a file under an official name is always complete and verified.
/// </summary>
internal static class EmnistArchiveExtractor
{
    private const string TemporarySuffix = ".tmp";
    private const int BufferSize = 1 << 16;

    /// <exception cref="EmnistFormatException">
    /// The archive is not a readable zip (it is then deleted, so that the next call downloads it again),
    /// lacks one of the split's files, or a file fails verification (nothing is left under its name).
    /// </exception>
    public static async Task ExtractAsync(string archivePath, EmnistSplitFiles targets, EmnistFileVerifier verifier,
        IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        EmnistSplitFiles temporaries = targets.Select(path => path + TemporarySuffix);
        try
        {
            try
            {
                await CopyEntriesAsync(archivePath, targets, temporaries, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                // A damaged archive stays damaged: remove it so that the next call fetches a new one.
                DeleteIfPossible(archivePath);
                throw new EmnistFormatException(archivePath,
                    $"the archive is not a readable zip file ({e.Message}). It has been deleted; download again to fetch it afresh.", e);
            }
            await verifier.VerifyAsync(temporaries, targets, progress, cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < targets.All.Count; i++)
                File.Move(temporaries.All[i], targets.All[i], overwrite: true);
        }
        finally
        {
            // After a failure or cancellation: nothing half-written or unverified is left behind.
            foreach (string temporary in temporaries.All)
                DeleteIfPossible(temporary);
        }
    }

    /// <exception cref="InvalidDataException">The archive or one of its entries is damaged.</exception>
    private static async Task CopyEntriesAsync(string archivePath, EmnistSplitFiles targets, EmnistSplitFiles temporaries,
        IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        ZipArchive zip = await ZipFile.OpenReadAsync(archivePath, cancellationToken).ConfigureAwait(false);
        await using (zip.ConfigureAwait(false))
        {
            ZipArchiveEntry[] entries = targets.All.Select(target => FindEntry(zip, archivePath, Path.GetFileName(target))).ToArray();
            long total = entries.Sum(entry => entry.Length);
            long done = 0;
            var buffer = new byte[BufferSize];
            for (int i = 0; i < entries.Length; i++)
            {
                string name = entries[i].Name;
                progress?.Report(new DownloadProgress(DownloadStage.Extracting, name, done, total));
                try
                {
                    Stream source = await entries[i].OpenAsync(cancellationToken).ConfigureAwait(false);
                    await using (source.ConfigureAwait(false))
                    {
                        var file = new FileStream(temporaries.All[i], FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
                        await using (file.ConfigureAwait(false))
                        {
                            int read;
                            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                            {
                                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                                done += read;
                                progress?.Report(new DownloadProgress(DownloadStage.Extracting, name, done, total));
                            }
                        }
                    }
                }
                catch (InvalidDataException e)
                {
                    throw new InvalidDataException($"entry {entries[i].FullName}: {e.Message}", e);
                }
            }
        }
    }

    /// <summary>The entry named <paramref name="name"/> in any folder (NIST's archive keeps them in <c>gzip/</c>).</summary>
    private static ZipArchiveEntry FindEntry(ZipArchive zip, string archivePath, string name) =>
        zip.Entries.FirstOrDefault(entry => string.Equals(entry.Name, name, StringComparison.Ordinal))
        ?? throw new EmnistFormatException(archivePath,
            $"the archive has no entry {name}; it is not an EMNIST archive holding this split. " +
            "Delete it, or set EmnistDownloadOptions.ArchiveUri to one that does.");

    private static void DeleteIfPossible(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Cleaning up must not hide the error that made it necessary.
        }
        catch (UnauthorizedAccessException)
        {
            // Likewise.
        }
    }
}
