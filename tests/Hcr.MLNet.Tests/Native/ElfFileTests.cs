using Hcr.MLNet.Native;

namespace Hcr.MLNet.Tests.Native;

public class ElfFileTests
{
    [Fact]
    public void Reads_the_shims_soname_and_version_needs()
    {
        string path = NativeFiles.Shim;
        var elf = ElfFile.Parse(File.ReadAllBytes(path), path);

        Assert.Equal("libLibTorchSharp.so", elf.SoName);
        Assert.Contains(elf.VersionNeeds, n => n.File == "libstdc++.so.6" && n.Version == "GLIBCXX_3.4.32");
        Assert.Contains(elf.VersionNeeds, n => n.File == "libc.so.6" && n.Version == "GLIBC_2.2.5");
        Assert.All(elf.VersionNeeds, n => Assert.Equal(0, n.Flags & 2));
    }

    [Fact]
    public void Tells_marker_versions_from_versions_that_relocations_use()
    {
        string path = NativeFiles.Shim;
        var elf = ElfFile.Parse(File.ReadAllBytes(path), path);
        ushort marker = elf.VersionNeeds.Single(n => n.Version == "GLIBCXX_3.4.32").Index;
        ushort used = elf.VersionNeeds.Single(n => n.Version == "GLIBCXX_3.4.30").Index;

        Assert.Empty(elf.RelocatedSymbolsOfVersion(marker));
        Assert.NotEmpty(elf.RelocatedSymbolsOfVersion(used));
    }

    [Fact]
    public void Reads_version_definitions_of_the_processs_libstdcxx()
    {
        string path = NativeFiles.LibStdCxx;
        var elf = ElfFile.Parse(File.ReadAllBytes(path), path);
        Assert.Equal("libstdc++.so.6", elf.SoName);
        Assert.Contains("GLIBCXX_3.4", elf.VersionDefinitions);
        Assert.Contains("CXXABI_1.3", elf.VersionDefinitions);
    }

    [Fact]
    public void Rejects_a_file_that_is_not_elf()
    {
        var e = Assert.Throws<ElfFormatException>(() => ElfFile.Parse("#!/bin/sh\necho hello, this is not a library\n"u8.ToArray().Concat(new byte[100]).ToArray(), "script.so"));
        Assert.Contains("script.so", e.Message);
        Assert.Contains("not an ELF file", e.Message);
    }

    [Fact]
    public void Rejects_32_bit_files()
    {
        byte[] bytes = File.ReadAllBytes(NativeFiles.Shim);
        bytes[4] = 1;
        Assert.Contains("64-bit", Assert.Throws<ElfFormatException>(() => ElfFile.Parse(bytes, "x.so")).Message);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(100_000)]
    public void Rejects_truncated_files(int length)
    {
        byte[] bytes = File.ReadAllBytes(NativeFiles.Shim)[..length];
        var e = Assert.Throws<ElfFormatException>(() => ElfFile.Parse(bytes, "cut.so"));
        Assert.Contains("truncated", e.Message);
    }
}
