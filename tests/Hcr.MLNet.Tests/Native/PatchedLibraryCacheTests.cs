using Hcr.MLNet.Native;
using Hcr.MLNet.Tests.TestSupport;

namespace Hcr.MLNet.Tests.Native;

public class PatchedLibraryCacheTests
{
    [Fact]
    public void Same_content_same_path_and_other_content_other_path()
    {
        using var cache = new TempDirectory();
        string a = PatchedLibraryCache.Store(cache.Path, "libX.so", [1, 2, 3]);
        string again = PatchedLibraryCache.Store(cache.Path, "libX.so", [1, 2, 3]);
        string b = PatchedLibraryCache.Store(cache.Path, "libX.so", [1, 2, 4]);

        Assert.Equal(a, again);
        Assert.NotEqual(a, b);
        Assert.Equal("libX.so", Path.GetFileName(a));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(a));
        Assert.Empty(Directory.GetFiles(cache.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_damaged_cached_copy_is_rewritten()
    {
        using var cache = new TempDirectory();
        string path = PatchedLibraryCache.Store(cache.Path, "libX.so", [5, 6, 7, 8]);
        File.WriteAllBytes(path, [5, 6]);
        Assert.Equal(path, PatchedLibraryCache.Store(cache.Path, "libX.so", [5, 6, 7, 8]));
        Assert.Equal([5, 6, 7, 8], File.ReadAllBytes(path));
    }
}
