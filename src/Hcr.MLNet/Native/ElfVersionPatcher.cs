namespace Hcr.MLNet.Native;

/// <summary>
/// Marks version requirements of a shared library weak (<c>VER_FLG_WEAK</c> in <c>.gnu.version_r</c>),
/// so that the dynamic loader accepts a system library lacking that version. It does so only for a
/// version that no relocation uses: then no symbol is ever looked up under it, and the requirement
/// is a marker that nothing calls (as <c>GLIBCXX_3.4.32</c>, needed by TorchSharp 0.107's shim only
/// through <c>std::ios_base_library_init()</c>).
/// </summary>
internal static class ElfVersionPatcher
{
    private const ushort WeakFlag = 0x2;

    /// <summary>Returns a patched copy of <paramref name="library"/>; the input is not modified.</summary>
    /// <exception cref="ElfFormatException">The file is not a well-formed ELF library, does not need one of the versions, or a relocation uses a symbol of one.</exception>
    public static byte[] WeakenUnusedVersions(byte[] library, string path, IReadOnlyCollection<(string File, string Version)> versions)
    {
        ElfFile elf = ElfFile.Parse(library, path);
        byte[] patched = (byte[])library.Clone();
        foreach ((string file, string version) in versions)
        {
            ElfFile.VersionNeed need = elf.VersionNeeds.FirstOrDefault(n => n.File == file && n.Version == version)
                ?? throw new ElfFormatException(path, $"does not list {version} from {file} in .gnu.version_r (found: {string.Join(", ", elf.VersionNeeds.Select(n => $"{n.Version} ({n.File})"))}); nothing was patched.");
            IReadOnlyList<string> used = elf.RelocatedSymbolsOfVersion(need.Index);
            if (used.Count > 0)
            {
                throw new ElfFormatException(path,
                    $"needs {version} from {need.File} for symbols that relocations use ({string.Join(", ", used.Take(5))}); " +
                    $"it cannot be made to load with a {need.File} that lacks {version}. Install a newer {need.File}.");
            }
            ushort flags = (ushort)(need.Flags | WeakFlag);
            patched[need.FlagsOffset] = (byte)flags;
            patched[need.FlagsOffset + 1] = (byte)(flags >> 8);
        }
        return patched;
    }
}
