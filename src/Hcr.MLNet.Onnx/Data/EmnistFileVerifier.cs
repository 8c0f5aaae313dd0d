using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Hcr.MLNet.Data;

/// <summary>
/// Checks a split's files: those with a known checksum by MD5, the others by loading them, which
/// checks the IDX headers, the lengths, the image/label counts and the labels against the mapping.
/// </summary>
internal sealed class EmnistFileVerifier(IDictionary<string, string> checksums)
{
    /// <summary>
    /// Verifies the files at <paramref name="actual"/>, which will carry the names of
    /// <paramref name="official"/>: checksums are looked up, and problems reported, under the official
    /// names, so that a file still under a temporary name is named as the user will know it.
    /// </summary>
    /// <exception cref="EmnistFormatException">A file fails its checksum or is malformed.</exception>
    public async Task VerifyAsync(EmnistSplitFiles actual, EmnistSplitFiles official,
        IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> paths = actual.All;
        IReadOnlyList<string> names = official.All;
        long total = paths.Sum(path => new FileInfo(path).Length);
        long done = 0;
        var loadedParts = new HashSet<int>();
        try
        {
            for (int i = 0; i < paths.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string name = Path.GetFileName(names[i]);
                progress?.Report(new DownloadProgress(DownloadStage.Verifying, name, done, total));
                if (checksums.TryGetValue(name, out string? expected))
                    await CheckMd5Async(paths[i], names[i], expected, cancellationToken).ConfigureAwait(false);
                else if (i == paths.Count - 1)
                    EmnistMapping.Load(actual.Mapping);
                else if (loadedParts.Add(i / 2))
                    LoadPart(actual, i / 2);
                done += new FileInfo(paths[i]).Length;
            }
        }
        catch (EmnistFormatException e) when (actual != official)
        {
            throw UnderOfficialNames(e, actual, official);
        }
        progress?.Report(new DownloadProgress(DownloadStage.Verifying, Path.GetFileName(names[^1]), total, total));
    }

    /// <summary>Whether the files are all there and pass <see cref="VerifyAsync"/>.</summary>
    public async Task<bool> AreValidAsync(EmnistSplitFiles files, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        if (!files.All.All(File.Exists))
            return false;
        try
        {
            await VerifyAsync(files, files, progress, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (EmnistFormatException)
        {
            return false;
        }
    }

    [SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms",
        Justification = "MD5 detects damaged downloads against the published EMNIST checksums; it guards against no attacker.")]
    private static async Task CheckMd5Async(string path, string officialPath, string expected, CancellationToken cancellationToken)
    {
        byte[] hash;
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, useAsync: true);
        await using (file.ConfigureAwait(false))
            hash = await MD5.HashDataAsync(file, cancellationToken).ConfigureAwait(false);
        string actual = Convert.ToHexStringLower(hash);
        if (!string.Equals(actual, expected.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            throw new EmnistFormatException(officialPath,
                $"MD5 checksum is {actual} but {expected.Trim().ToLowerInvariant()} was expected: the file is damaged or is not the official one.");
        }
    }

    /// <summary>
    /// Checks part <paramref name="part"/> (0 train, 1 test) by loading its images and labels with the
    /// mapping: only together can they show whether the counts agree and every label is in the mapping.
    /// </summary>
    private static void LoadPart(EmnistSplitFiles files, int part)
    {
        if (part == 0)
            EmnistDataset.LoadIdx(files.TrainImages, files.TrainLabels, files.Mapping);
        else
            EmnistDataset.LoadIdx(files.TestImages, files.TestLabels, files.Mapping);
    }

    private static EmnistFormatException UnderOfficialNames(EmnistFormatException e, EmnistSplitFiles actual, EmnistSplitFiles official)
    {
        string file = e.FilePath;
        string problem = e.Problem;
        for (int i = 0; i < actual.All.Count; i++)
        {
            if (file == actual.All[i])
                file = official.All[i];
            // Paths first, then bare names (some messages name a partner file by its name only).
            problem = problem.Replace(actual.All[i], official.All[i], StringComparison.Ordinal);
        }
        for (int i = 0; i < actual.All.Count; i++)
            problem = problem.Replace(Path.GetFileName(actual.All[i]), Path.GetFileName(official.All[i]), StringComparison.Ordinal);
        return new EmnistFormatException(file, problem, e);
    }
}
