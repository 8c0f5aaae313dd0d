using Hcr.MLNet.IO;
using Hcr.MLNet.Tests.TestSupport;

namespace Hcr.MLNet.Tests.IO;

public class AtomicFileTests
{
    [Fact]
    public void A_failed_write_leaves_the_previous_file_and_no_temp_file()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.bin");
        File.WriteAllText(path, "old");

        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("partial new content"u8);
            throw new InvalidOperationException("writer failed halfway");
        }));

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void A_successful_write_replaces_the_file()
    {
        using var dir = new TempDirectory();
        string path = dir.File("sub/model.bin");
        AtomicFile.WriteAllBytes(path, [1, 2]);
        AtomicFile.Write(path, stream => stream.Write([3, 4, 5]));
        Assert.Equal([3, 4, 5], File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir.File("sub")));
    }
}
