using System.Buffers.Binary;
using Hcr.MLNet.Native;

namespace Hcr.MLNet.Tests.Native;

/// <summary>The real native files this test run uses, and ways to break copies of them.</summary>
internal static class NativeFiles
{
    public static string Shim =>
        LibTorchLocation.Find(LibTorchLocation.DefaultSearchDirectories()).Shim
        ?? throw new InvalidOperationException("TorchSharp's shim is not in the test output; the TorchSharp-cpu package is missing.");

    public static string LibStdCxx =>
        LoadedLibraries.FindBySoName("libstdc++.so.6") ?? throw new InvalidOperationException("libstdc++.so.6 is not loaded.");

    /// <summary>Changes the type of the first section of <paramref name="type"/> to PROGBITS, as if the section were absent.</summary>
    public static byte[] WithoutSectionOfType(byte[] elf, uint type)
    {
        byte[] copy = (byte[])elf.Clone();
        long table = (long)BinaryPrimitives.ReadUInt64LittleEndian(copy.AsSpan(40));
        int size = BinaryPrimitives.ReadUInt16LittleEndian(copy.AsSpan(58));
        int count = BinaryPrimitives.ReadUInt16LittleEndian(copy.AsSpan(60));
        for (int i = 0; i < count; i++)
        {
            Span<byte> typeField = copy.AsSpan((int)(table + i * size + 4), 4);
            if (BinaryPrimitives.ReadUInt32LittleEndian(typeField) == type)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(typeField, 1);
                return copy;
            }
        }
        throw new InvalidOperationException($"no section of type 0x{type:x}");
    }
}
