using System.Buffers.Binary;
using System.Text;

namespace Hcr.MLNet.Native;

/// <summary>
/// The parts of a 64-bit little-endian ELF shared library that symbol versioning involves: the
/// dynamic symbols, their version indices (<c>.gnu.version</c>), the versions the library needs from
/// others (<c>.gnu.version_r</c>), the versions it defines (<c>.gnu.version_d</c>), its relocations and
/// its SONAME. Every offset is bounds-checked; anything unexpected raises <see cref="ElfFormatException"/>.
/// </summary>
internal sealed class ElfFile
{
    private const uint SectionRela = 4, SectionDynamic = 6, SectionRel = 9, SectionDynSym = 11;
    private const uint SectionVerDef = 0x6ffffffd, SectionVerNeed = 0x6ffffffe, SectionVerSym = 0x6fffffff;
    private const long DynamicSoName = 14;

    private readonly byte[] _bytes;
    private readonly string _path;
    private readonly List<Section> _sections = [];

    private ElfFile(byte[] bytes, string path)
    {
        _bytes = bytes;
        _path = path;
        ReadSectionHeaders();
    }

    /// <summary>A version the library needs: <c>Version</c> from <c>File</c>, with the offset of its flags field.</summary>
    public sealed record VersionNeed(string File, string Version, ushort Index, ushort Flags, int FlagsOffset);

    public string? SoName { get; private set; }

    public IReadOnlyList<VersionNeed> VersionNeeds { get; private set; } = [];

    public IReadOnlyList<string> VersionDefinitions { get; private set; } = [];

    /// <summary>Names of dynamic symbols bound to version <paramref name="index"/> that some relocation uses.</summary>
    public IReadOnlyList<string> RelocatedSymbolsOfVersion(ushort index)
    {
        Section symbols = Require(SectionDynSym, ".dynsym");
        Section versions = Require(SectionVerSym, ".gnu.version");
        var referenced = new HashSet<uint>();
        foreach (Section rel in _sections.Where(s => (s.Type is SectionRela or SectionRel) && s.Link == symbols.Index))
        {
            int entrySize = rel.Type == SectionRela ? 24 : 16;
            for (long offset = rel.Offset; offset + entrySize <= rel.Offset + rel.Size; offset += entrySize)
                referenced.Add((uint)(U64(offset + 8) >> 32));
        }

        var names = new List<string>();
        long count = symbols.Size / 24;
        for (uint i = 1; i < count; i++)
        {
            ushort version = (ushort)(U16(versions.Offset + i * 2L) & 0x7fff);
            if (version == index && referenced.Contains(i))
                names.Add(String(symbols.Link, U32(symbols.Offset + i * 24L)));
        }
        return names;
    }

    public static ElfFile Parse(byte[] bytes, string path)
    {
        if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
            throw new ElfFormatException(path, "not an ELF file (no \\x7fELF magic at the start).");
        if (bytes[4] != 2 || bytes[5] != 1)
            throw new ElfFormatException(path, $"only 64-bit little-endian ELF files are supported (class {bytes[4]}, data {bytes[5]}).");
        var file = new ElfFile(bytes, path);
        file.ReadDynamic();
        file.ReadVersionNeeds();
        file.ReadVersionDefinitions();
        return file;
    }

    private void ReadSectionHeaders()
    {
        long tableOffset = (long)U64(40);
        int entrySize = U16(58), count = U16(60), namesIndex = U16(62);
        if (count == 0 || entrySize < 64)
            throw Problem("has no section headers.");
        Check(tableOffset, (long)entrySize * count, "the section header table");
        for (int i = 0; i < count; i++)
        {
            long h = tableOffset + (long)i * entrySize;
            var section = new Section(i, U32(h), U32(h + 4), (long)U64(h + 24), (long)U64(h + 32), (int)U32(h + 40));
            if (section.Type != 8) // SHT_NOBITS occupies no file space
                Check(section.Offset, section.Size, $"section {i}");
            _sections.Add(section);
        }
        if (namesIndex >= count)
            throw Problem($"section-name table index {namesIndex} is out of range.");
        foreach (Section s in _sections)
            s.Name = String(namesIndex, s.NameOffset);
    }

    private void ReadDynamic()
    {
        Section? dynamic = Find(SectionDynamic);
        if (dynamic is null)
            return;
        for (long offset = dynamic.Offset; offset + 16 <= dynamic.Offset + dynamic.Size; offset += 16)
        {
            long tag = (long)U64(offset);
            if (tag == 0)
                break;
            if (tag == DynamicSoName)
                SoName = String(dynamic.Link, (uint)U64(offset + 8));
        }
    }

    private void ReadVersionNeeds()
    {
        Section? section = Find(SectionVerNeed);
        if (section is null)
            return;
        var needs = new List<VersionNeed>();
        long offset = section.Offset;
        for (int entry = 0; ; entry++)
        {
            Check(offset, 16, ".gnu.version_r entry");
            string file = String(section.Link, U32(offset + 4));
            long aux = offset + U32(offset + 8);
            for (int j = 0; j < U16(offset + 2); j++)
            {
                Check(aux, 16, ".gnu.version_r auxiliary entry");
                needs.Add(new VersionNeed(file, String(section.Link, U32(aux + 8)), U16(aux + 6), U16(aux + 4), checked((int)aux + 4)));
                uint nextAux = U32(aux + 12);
                if (nextAux == 0)
                    break;
                aux += nextAux;
            }
            uint next = U32(offset + 12);
            if (next == 0 || entry > 10_000)
                break;
            offset += next;
        }
        VersionNeeds = needs;
    }

    private void ReadVersionDefinitions()
    {
        Section? section = Find(SectionVerDef);
        if (section is null)
            return;
        var names = new List<string>();
        long offset = section.Offset;
        for (int entry = 0; ; entry++)
        {
            Check(offset, 20, ".gnu.version_d entry");
            if (U16(offset + 6) > 0)
            {
                long aux = offset + U32(offset + 12);
                Check(aux, 8, ".gnu.version_d auxiliary entry");
                names.Add(String(section.Link, U32(aux)));
            }
            uint next = U32(offset + 16);
            if (next == 0 || entry > 10_000)
                break;
            offset += next;
        }
        VersionDefinitions = names;
    }

    private Section? Find(uint type) => _sections.FirstOrDefault(s => s.Type == type);

    private Section Require(uint type, string name) =>
        Find(type) ?? throw Problem($"has no {name} section.");

    private string String(int tableIndex, uint offset)
    {
        if (tableIndex <= 0 || tableIndex >= _sections.Count)
            throw Problem($"string table index {tableIndex} is out of range.");
        Section table = _sections[tableIndex];
        if (offset >= table.Size)
            throw Problem($"string offset {offset} lies outside string table {table.Name}.");
        int start = checked((int)(table.Offset + offset));
        int end = Array.IndexOf(_bytes, (byte)0, start, (int)(table.Offset + table.Size - start));
        if (end < 0)
            throw Problem($"unterminated string in {table.Name}.");
        return Encoding.ASCII.GetString(_bytes, start, end - start);
    }

    private void Check(long offset, long length, string what)
    {
        if (offset < 0 || length < 0 || offset + length > _bytes.Length)
            throw Problem($"is truncated or corrupt: {what} (bytes {offset}..{offset + length}) lies beyond the end of the file ({_bytes.Length} bytes).");
    }

    private ushort U16(long offset) { Check(offset, 2, "a field"); return BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan((int)offset)); }

    private uint U32(long offset) { Check(offset, 4, "a field"); return BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan((int)offset)); }

    private ulong U64(long offset) { Check(offset, 8, "a field"); return BinaryPrimitives.ReadUInt64LittleEndian(_bytes.AsSpan((int)offset)); }

    private ElfFormatException Problem(string problem) => new(_path, problem);

    private sealed class Section(int index, uint nameOffset, uint type, long offset, long size, int link)
    {
        public int Index { get; } = index;
        public uint NameOffset { get; } = nameOffset;
        public uint Type { get; } = type;
        public long Offset { get; } = offset;
        public long Size { get; } = size;
        public int Link { get; } = link;
        public string Name { get; set; } = "";
    }
}
