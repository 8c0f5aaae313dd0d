using Hcr.MLNet.Data;

namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>
/// Locates the real EMNIST files at <c>../shared/data/emnist</c> beside the checkout (or the folder
/// named by <c>HCR_EMNIST_DIR</c>). Tests that need them fail, never skip, when they are absent.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string> Directory_ = new(Locate);

    public static string EmnistDirectory => Directory_.Value;

    /// <summary>
    /// The DHSD word images at <c>../shared/data/dhsd</c> beside the checkout (or the folder named by <c>HCR_DHSD_DIR</c>);
    /// throws, so that the tests that need them fail, when its <c>data.csv</c> is absent.
    /// </summary>
    public static string DhsdDirectory
    {
        get
        {
            string? overridden = Environment.GetEnvironmentVariable("HCR_DHSD_DIR");
            string path = !string.IsNullOrEmpty(overridden)
                ? overridden
                : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data", "dhsd"));
            if (!File.Exists(Path.Combine(path, "data.csv")))
            {
                throw new InvalidOperationException(
                    $"The DHSD word images are required but were not found at {path} (no data.csv). " +
                    "Put them in ../shared/data/dhsd beside the checkout or set HCR_DHSD_DIR.");
            }
            return path;
        }
    }

    /// <summary>The SSE-letters photos (<c>../shared/data/sse-letters/frames</c>): 5×3 grids of handwritten capitals; fails, never skips, without them.</summary>
    public static string SseLettersFrames
    {
        get
        {
            string path = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data", "sse-letters", "frames"));
            if (!Directory.Exists(path) || !Directory.EnumerateFiles(path, "*.jpg").Any())
            {
                throw new InvalidOperationException(
                    $"The SSE-letters photos are required but were not found at {path}. Put them in ../shared/data/sse-letters/frames beside the checkout.");
            }
            return path;
        }
    }

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Hcr.MLNet.sln")))
                    return dir.FullName;
            }
            throw new InvalidOperationException($"Hcr.MLNet.sln not found above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>The parts the Slow tests read: checked together, so that one message lists everything missing.</summary>
    private static readonly (EmnistSplit Split, EmnistPart Part)[] Needed = [(EmnistSplit.ByMerge, EmnistPart.Test), (EmnistSplit.Mnist, EmnistPart.Test)];

    private static string Locate()
    {
        string? overridden = Environment.GetEnvironmentVariable("HCR_EMNIST_DIR");
        string path = !string.IsNullOrEmpty(overridden)
            ? overridden
            : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data", "emnist"));
        // Thrown from a Lazy, which keeps the exception: every test that needs the data fails at once with this
        // message, before any training, rather than each finding out on its own.
        if (MissingDataMessage(path) is string message)
            throw new InvalidOperationException(message);
        return path;
    }

    /// <summary>What is missing from <paramref name="path"/> and how to get it; null when the Slow tests' files are all there.</summary>
    public static string? MissingDataMessage(string path)
    {
        string[] missing = Needed.SelectMany(n => EmnistDataset.MissingFiles(path, n.Split, n.Part)).Distinct().ToArray();
        return missing.Length == 0 ? null
            : $"This test needs the real EMNIST files, which are not in {path} (missing: {string.Join(", ", missing)}). " +
              $"Get them from NIST's archive {EmnistDownloadOptions.DefaultArchiveUri} (about 560 MB; its gzip/ folder holds them under these names) " +
              "into ../shared/data/emnist beside the checkout, or set HCR_EMNIST_DIR to a folder that has them. " +
              "The fast tier, dotnet test --filter \"Category!=Slow\", needs none of them.";
    }
}
