using System.Security.Cryptography;
using Hcr.MLNet.IO;

namespace Hcr.MLNet.Native;

/// <summary>
/// A per-user folder of patched native libraries, addressed by content: a patched file lives at
/// <c>&lt;cache&gt;/&lt;sha256 of its bytes&gt;/&lt;original name&gt;</c>, is written atomically, and is reused
/// by every later process whose patch produces the same bytes.
/// </summary>
internal static class PatchedLibraryCache
{
    /// <summary><c>$XDG_CACHE_HOME/hcr-mlnet/native</c>, else <c>~/.cache/hcr-mlnet/native</c>, else the temp folder.</summary>
    public static string DefaultDirectory
    {
        get
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            string root = !string.IsNullOrEmpty(xdg) ? xdg
                : !string.IsNullOrEmpty(home) ? Path.Combine(home, ".cache")
                : Path.GetTempPath();
            return Path.Combine(root, "hcr-mlnet", "native");
        }
    }

    /// <summary>Stores <paramref name="content"/> under <paramref name="fileName"/> and returns its path.</summary>
    public static string Store(string cacheDirectory, string fileName, byte[] content)
    {
        string hash = Convert.ToHexStringLower(SHA256.HashData(content));
        string directory = Path.Combine(cacheDirectory, hash);
        string path = Path.Combine(directory, fileName);
        if (File.Exists(path) && SHA256.HashData(File.ReadAllBytes(path)).AsSpan().SequenceEqual(Convert.FromHexString(hash)))
            return path;
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllBytes(path, content);
        return path;
    }
}
