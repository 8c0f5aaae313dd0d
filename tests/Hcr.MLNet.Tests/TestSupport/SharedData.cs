namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>
/// Locates the real EMNIST files at <c>../shared/data/emnist</c> beside the checkout (or the folder
/// named by <c>HCR_EMNIST_DIR</c>). Tests that need them fail, never skip, when they are absent.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string> Directory_ = new(Locate);

    public static string EmnistDirectory => Directory_.Value;

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

    private static string Locate()
    {
        string? overridden = Environment.GetEnvironmentVariable("HCR_EMNIST_DIR");
        string path = !string.IsNullOrEmpty(overridden)
            ? overridden
            : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data", "emnist"));
        if (!File.Exists(Path.Combine(path, "emnist-bymerge-test-images-idx3-ubyte.gz")))
        {
            throw new InvalidOperationException(
                $"Real EMNIST data is required but was not found at {path}. " +
                "Put the EMNIST files in ../shared/data/emnist beside the checkout or set HCR_EMNIST_DIR.");
        }
        return path;
    }
}
