namespace Hcr.MLNet.Benchmarks;

/// <summary>Finds the real EMNIST files and DHSD word images beside the checkout (or at HCR_EMNIST_DIR, HCR_DHSD_DIR).</summary>
internal static class BenchmarkData
{
    public static string EmnistDirectory
    {
        get
        {
            string? overridden = Environment.GetEnvironmentVariable("HCR_EMNIST_DIR");
            if (!string.IsNullOrEmpty(overridden))
                return overridden;
            return Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data", "emnist"));
        }
    }

    /// <summary>The DHSD word images beside the checkout (or at HCR_DHSD_DIR).</summary>
    public static string DhsdDirectory
    {
        get
        {
            string? overridden = Environment.GetEnvironmentVariable("HCR_DHSD_DIR");
            if (!string.IsNullOrEmpty(overridden))
                return overridden;
            return Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data", "dhsd"));
        }
    }

    /// <summary>BenchmarkDotNet.Artifacts at the repository root (ignored by git): where benchmarks keep what they build once.</summary>
    public static string ArtifactsDirectory => Path.Combine(RepositoryRoot, "BenchmarkDotNet.Artifacts");

    private static string RepositoryRoot
    {
        get
        {
            foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            {
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    if (File.Exists(Path.Combine(dir.FullName, "Hcr.MLNet.sln")))
                        return dir.FullName;
                }
            }
            throw new InvalidOperationException("Hcr.MLNet.sln not found; set HCR_EMNIST_DIR to the EMNIST folder.");
        }
    }
}
