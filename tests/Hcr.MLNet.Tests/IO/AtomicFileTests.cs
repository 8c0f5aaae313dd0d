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
    public void CheckWritable_refuses_an_unwritable_path_naming_it_and_leaves_a_writable_folder_as_it_was()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("a-file"), "not a folder");
        // A file where the folder should be: unwritable for root too, unlike a read-only folder.
        string target = dir.File("a-file/model.hcr");

        var e = Assert.Throws<IOException>(() => AtomicFile.CheckWritable(target));

        Assert.Contains(Path.GetFullPath(target), e.Message);
        Assert.DoesNotContain(".tmp", e.Message);
        Assert.Contains("is a folder", Assert.Throws<IOException>(() => AtomicFile.CheckWritable(dir.Path)).Message);
        AtomicFile.CheckWritable(dir.File("new/model.hcr"));
        Assert.Equal([dir.File("a-file")], Directory.GetFiles(dir.Path));
        Assert.Empty(Directory.GetFiles(dir.File("new")));
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

    [Fact]
    public void A_write_removes_stale_temp_files_of_its_target_and_nothing_else()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.hcr");
        string Temp(string target) => dir.File($".{target}.{Guid.NewGuid():N}.tmp");
        DateTime old = DateTime.UtcNow - AtomicFile.StaleTempAge - TimeSpan.FromMinutes(5);

        // Left by a process killed mid-save.
        string stale = Temp("model.hcr");
        // Perhaps another process's save in progress.
        string recent = Temp("model.hcr");
        // Another target's leftover, and files that only look like temps.
        string otherTarget = Temp("other.hcr");
        string lookalike = dir.File(".model.hcr.backup.tmp");
        string nested = dir.File($".model.hcr.{Guid.NewGuid():N}.tmp.keep");
        foreach (string file in new[] { stale, recent, otherTarget, lookalike, nested })
            File.WriteAllText(file, "partial");
        foreach (string file in new[] { stale, otherTarget, lookalike, nested })
            File.SetLastWriteTimeUtc(file, old);

        AtomicFile.Write(path, stream => stream.Write([1]));

        Assert.False(File.Exists(stale));
        Assert.All(new[] { path, recent, otherTarget, lookalike, nested }, f => Assert.True(File.Exists(f), f));
    }
}
