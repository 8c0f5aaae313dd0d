using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Hcr.MLNet.Training;
using TorchSharp;
using Hcr.MLNet.DataViews;

namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>
/// Model files made and taken apart in tests: untrained networks (only the file layout matters), the offsets of
/// fields inside a network file, and zips rewritten entry by entry or with lying size fields.
/// </summary>
internal static class ModelFiles
{
    public const string Classes = "HVDOX.";

    /// <summary>A transformer around a freshly initialised (untrained) seed network.</summary>
    public static HandwritingCnnTransformer UntrainedNetwork(string classes = Classes)
    {
        TorchRuntime.EnsureInitialized();
        string[] names = classes.Select(c => c.ToString()).ToArray();
        return new HandwritingCnnTransformer(CnnArchitecture.Seed.CreateNetwork(names.Length), CnnArchitecture.Seed, names,
            HcrColumns.Pixels, [], torch.CPU, []);
    }

    public static byte[] Bytes(HandwritingCnnTransformer network)
    {
        using var stream = new MemoryStream();
        network.Save(stream);
        return stream.ToArray();
    }

    /// <summary>Where the first class name's length byte is in a network file.</summary>
    public static int FirstClassNameOffset(byte[] network)
    {
        using var reader = new BinaryReader(new MemoryStream(network));
        reader.ReadBytes(8 + 4); // magic, version
        reader.ReadString(); // architecture
        reader.ReadString(); // pixels column
        reader.ReadInt32(); // class count
        return (int)reader.BaseStream.Position;
    }

    /// <summary>Where the weights (TorchSharp's state dict: count, then name, type, rank, sizes, bytes per tensor) start in a network file.</summary>
    public static int StateDictOffset(byte[] network)
    {
        using var reader = new BinaryReader(new MemoryStream(network));
        reader.BaseStream.Position = FirstClassNameOffset(network);
        int classes = BinaryPrimitives.ReadInt32LittleEndian(network.AsSpan(FirstClassNameOffset(network) - 4));
        for (int i = 0; i < classes; i++)
            reader.ReadString();
        EpochMetricsFormat.Read(reader, "test");
        int rotations = reader.ReadInt32();
        reader.ReadBytes(rotations * 8);
        return (int)reader.BaseStream.Position;
    }

    /// <summary>The first tensor's name and the offset of its rank byte (count, name and element type each fit one byte in these networks).</summary>
    public static (string Name, int RankOffset) FirstTensor(byte[] network)
    {
        int offset = StateDictOffset(network) + 1;
        int nameLength = network[offset];
        string name = Encoding.UTF8.GetString(network, offset + 1, nameLength);
        return (name, offset + 1 + nameLength + 1);
    }

    public static byte[] Splice(byte[] bytes, int offset, int removed, params byte[] inserted) =>
        [.. bytes[..offset], .. inserted, .. bytes[(offset + removed)..]];

    public static byte[] ReadEntry(byte[] zip, string name)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        using Stream stream = archive.GetEntry(name)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The zip with entry <paramref name="name"/> rewritten by <paramref name="write"/> (or left out when it is null), the others copied.</summary>
    public static byte[] RewriteEntry(byte[] zip, string name, Action<Stream>? write, CompressionLevel level = CompressionLevel.Fastest)
    {
        using var input = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (ZipArchiveEntry entry in input.Entries)
            {
                if (entry.FullName == name && write is null)
                    continue;
                using Stream target = archive.CreateEntry(entry.FullName, level).Open();
                if (entry.FullName == name)
                {
                    write!(target);
                }
                else
                {
                    using Stream source = entry.Open();
                    source.CopyTo(target);
                }
            }
        }
        return output.ToArray();
    }

    public static byte[] ReplaceEntry(byte[] zip, string name, byte[] content) => RewriteEntry(zip, name, s => s.Write(content));

    /// <summary>
    /// Seals the model zip at <paramref name="path"/> again after a test changed it in place (as whoever tampers with a file
    /// can), so that the check under test, not the whole-file checksum, is what refuses it.
    /// </summary>
    public static void Reseal(string path)
    {
        byte[] zip = File.ReadAllBytes(path);
        // The end record: the last PK\5\6 whose comment runs exactly to the end of the file.
        for (int at = zip.Length - 22; at >= 0; at--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(at)) == 0x06054b50
                && BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(at + 20)) == zip.Length - at - 22)
            {
                byte[] bare = zip[..(at + 22)];
                BinaryPrimitives.WriteUInt16LittleEndian(bare.AsSpan(at + 20), 0);
                File.WriteAllBytes(path, Hcr.MLNet.IO.ModelArchive.Seal(bare));
                return;
            }
        }
        Assert.Fail($"{path} has no zip end record");
    }

    /// <summary>Writes <paramref name="bytes"/> zero bytes (at <see cref="CompressionLevel.SmallestSize"/> they compress about a thousandfold).</summary>
    public static void WriteZeros(Stream stream, long bytes)
    {
        var zeros = new byte[1 << 20];
        for (long left = bytes; left > 0; left -= zeros.Length)
            stream.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
    }

    /// <summary>Sets the uncompressed size that both the local header and the central directory record for <paramref name="name"/>.</summary>
    public static byte[] WithDeclaredSize(byte[] zip, string name, uint size)
    {
        byte[] patched = (byte[])zip.Clone();
        byte[] fileName = Encoding.UTF8.GetBytes(name);
        int patches = 0;
        for (int i = 0; i + 46 < patched.Length; i++)
        {
            uint signature = BinaryPrimitives.ReadUInt32LittleEndian(patched.AsSpan(i));
            // Local file header: name length at 26, name at 30, uncompressed size at 22.
            if (signature == 0x04034b50 && Matches(patched, i + 26, i + 30, fileName))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(i + 22), size);
                patches++;
            }
            // Central directory header: name length at 28, name at 46, uncompressed size at 24.
            else if (signature == 0x02014b50 && Matches(patched, i + 28, i + 46, fileName))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(i + 24), size);
                patches++;
            }
        }
        Assert.Equal(2, patches);
        return patched;
    }

    private static bool Matches(byte[] zip, int lengthAt, int nameAt, byte[] name) =>
        BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(lengthAt)) == name.Length
        && nameAt + name.Length <= zip.Length
        && zip.AsSpan(nameAt, name.Length).SequenceEqual(name);
}
