using Hcr.MLNet.Native;

namespace Hcr.MLNet.Tests.Native;

public class ElfVersionPatcherTests
{
    private static readonly (string, string)[] Marker = [("libstdc++.so.6", "GLIBCXX_3.4.32")];

    [Fact]
    public void Marks_only_the_requested_entry_weak_and_changes_nothing_else()
    {
        string path = NativeFiles.Shim;
        byte[] original = File.ReadAllBytes(path);

        byte[] patched = ElfVersionPatcher.WeakenUnusedVersions(original, path, Marker);

        var before = ElfFile.Parse(original, path);
        var after = ElfFile.Parse(patched, path);
        Assert.Equal(2, after.VersionNeeds.Single(n => n.Version == "GLIBCXX_3.4.32").Flags & 2);
        Assert.All(after.VersionNeeds.Where(n => n.Version != "GLIBCXX_3.4.32"), n => Assert.Equal(0, n.Flags));
        int[] changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
        int flagsOffset = before.VersionNeeds.Single(n => n.Version == "GLIBCXX_3.4.32").FlagsOffset;
        Assert.Equal([flagsOffset], changed);
        Assert.Equal(File.ReadAllBytes(path), original); // the input is not modified
    }

    [Fact]
    public void Refuses_a_version_that_relocations_use()
    {
        string path = NativeFiles.Shim;
        var e = Assert.Throws<ElfFormatException>(() =>
            ElfVersionPatcher.WeakenUnusedVersions(File.ReadAllBytes(path), path, [("libstdc++.so.6", "GLIBCXX_3.4.30")]));
        Assert.Contains("relocations use", e.Message);
        Assert.Contains("newer libstdc++.so.6", e.Message);
    }

    [Fact]
    public void Refuses_a_version_the_file_does_not_need()
    {
        string path = NativeFiles.Shim;
        var e = Assert.Throws<ElfFormatException>(() =>
            ElfVersionPatcher.WeakenUnusedVersions(File.ReadAllBytes(path), path, [("libstdc++.so.6", "GLIBCXX_9.99")]));
        Assert.Contains("does not list GLIBCXX_9.99", e.Message);
        Assert.Contains("GLIBCXX_3.4.32 (libstdc++.so.6)", e.Message);
    }

    [Fact]
    public void Refuses_a_file_without_version_needs()
    {
        byte[] broken = NativeFiles.WithoutSectionOfType(File.ReadAllBytes(NativeFiles.Shim), 0x6ffffffe);
        var e = Assert.Throws<ElfFormatException>(() => ElfVersionPatcher.WeakenUnusedVersions(broken, "broken.so", Marker));
        Assert.Contains("broken.so", e.Message);
        Assert.Contains("does not list GLIBCXX_3.4.32", e.Message);
    }

    [Fact]
    public void Refuses_a_file_without_symbol_versions()
    {
        byte[] broken = NativeFiles.WithoutSectionOfType(File.ReadAllBytes(NativeFiles.Shim), 0x6fffffff);
        var e = Assert.Throws<ElfFormatException>(() => ElfVersionPatcher.WeakenUnusedVersions(broken, "broken.so", Marker));
        Assert.Contains("no .gnu.version section", e.Message);
    }

    [Fact]
    public void Refuses_truncated_and_non_elf_files()
    {
        byte[] shim = File.ReadAllBytes(NativeFiles.Shim);
        Assert.Throws<ElfFormatException>(() => ElfVersionPatcher.WeakenUnusedVersions(shim[..(shim.Length / 2)], "half.so", Marker));
        Assert.Throws<ElfFormatException>(() => ElfVersionPatcher.WeakenUnusedVersions(new byte[4096], "zeros.so", Marker));
    }
}
