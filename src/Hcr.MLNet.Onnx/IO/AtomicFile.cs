namespace Hcr.MLNet.IO;

/// <summary>
/// Writes files so that readers never see half of one: the content goes to a temporary file in the
/// same folder (<c>.{name}.{guid}.tmp</c>), is flushed to disk, and is then renamed over the target in one step.
/// </summary>
/// <remarks>
/// A process killed mid-write leaves its temporary file behind (the <c>finally</c> that deletes it never runs).
/// Each write removes such leftovers of the same target once they are older than <see cref="StaleTempAge"/>:
/// a younger one may belong to a write still running in another process.
/// </remarks>
internal static class AtomicFile
{
    /// <summary>How old a leftover temporary file of the same target must be before a write removes it.</summary>
    public static readonly TimeSpan StaleTempAge = TimeSpan.FromHours(1);

    private const string TempSuffix = ".tmp";

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content)
    {
        string temp = TempPathFor(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Runs <paramref name="write"/> on a temporary file, then renames it to <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string temp = TempPathFor(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>
    /// Checks that <see cref="Write"/> could write <paramref name="path"/>: its folder exists or can be created, and takes a
    /// new file (one is created there and deleted at once; the target itself is not touched). Meant for the start of
    /// long work whose result is saved at the end.
    /// </summary>
    /// <exception cref="IOException">The path is a folder, or its folder cannot be created or written; the message names the path, not the probe file.</exception>
    public static void CheckWritable(string path)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new IOException($"Cannot write {full}: it is a folder; give a file path.");
        string? temp = null;
        try
        {
            temp = TempPathFor(full);
            using (new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string reason = e is UnauthorizedAccessException ? "access denied"
                : temp is null ? e.Message : e.Message.Replace(temp, "a new file in its folder", StringComparison.Ordinal);
            throw new IOException($"Cannot write {full}: {reason.TrimEnd('.')}.", e);
        }
    }

    private static string TempPathFor(string path)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(directory);
        string name = Path.GetFileName(full);
        RemoveStaleTemps(directory, name);
        return Path.Combine(directory, $".{name}.{Guid.NewGuid():N}{TempSuffix}");
    }

    /// <summary>Deletes this target's temporary files older than <see cref="StaleTempAge"/>; other files, even similar ones, stay.</summary>
    private static void RemoveStaleTemps(string directory, string name)
    {
        string prefix = $".{name}.";
        DateTime cutoff = DateTime.UtcNow - StaleTempAge;
        // The pattern only narrows the listing (its wildcards have quirks); IsTempOf decides.
        foreach (string candidate in Directory.EnumerateFiles(directory, prefix + "*" + TempSuffix))
        {
            if (!IsTempOf(Path.GetFileName(candidate), prefix))
                continue;
            try
            {
                if (File.GetLastWriteTimeUtc(candidate) < cutoff)
                    File.Delete(candidate);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Cleaning up is a courtesy; it must never fail the write.
            }
        }
    }

    private static bool IsTempOf(string fileName, string prefix)
    {
        if (fileName.Length <= prefix.Length + TempSuffix.Length
            || !fileName.StartsWith(prefix, StringComparison.Ordinal) || !fileName.EndsWith(TempSuffix, StringComparison.Ordinal))
        {
            return false;
        }
        ReadOnlySpan<char> guid = fileName.AsSpan(prefix.Length, fileName.Length - prefix.Length - TempSuffix.Length);
        return Guid.TryParseExact(guid, "N", out _);
    }
}
