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
