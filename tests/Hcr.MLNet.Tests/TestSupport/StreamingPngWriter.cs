using System.IO.Compression;
using System.Text;

namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>
/// Writes an 8-bit greyscale PNG one row at a time, so that a test can make a 20000×20000 image without
/// holding it (SkiaSharp's encoder needs the whole bitmap). Rows are deflated into memory, which for
/// mostly blank paper is a few megabytes, and written as one IDAT chunk.
/// </summary>
public static class StreamingPngWriter
{
    private static readonly uint[] CrcTable = MakeCrcTable();

    public static void Write(string path, int width, int height, Action<int, Span<byte>> drawRow) =>
        Write(path, width, height, colorType: 0, bitDepth: 8, rowBytes: width, drawRow, []);

    /// <summary>
    /// Any PNG layout: <paramref name="drawRow"/> fills each row's raw bytes (samples packed as PNG packs
    /// them); <paramref name="extraChunks"/> (PLTE, tRNS, …) go between IHDR and IDAT. Rows are written
    /// with filters cycling through all five, so that a reader must undo each.
    /// </summary>
    public static void Write(string path, int width, int height, byte colorType, byte bitDepth, int rowBytes, Action<int, Span<byte>> drawRow,
        IReadOnlyList<(string Type, byte[] Data)> extraChunks, bool declareInterlaced = false)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            var row = new byte[rowBytes + 1];
            var previous = new byte[rowBytes + 1];
            var filtered = new byte[rowBytes + 1];
            int step = Math.Max(1, Channels(colorType) * bitDepth / 8);
            for (int y = 0; y < height; y++)
            {
                drawRow(y, row.AsSpan(1));
                Filter(row, previous, filtered, (byte)(colorType == 0 && bitDepth == 8 && extraChunks.Count == 0 ? 0 : y % 5), step);
                zlib.Write(filtered);
                (row, previous) = (previous, row);
            }
        }
        using var file = File.Create(path);
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        WriteBigEndian(header, 0, (uint)width);
        WriteBigEndian(header, 4, (uint)height);
        header[8] = bitDepth;
        header[9] = colorType;
        header[10] = 0; // deflate
        header[11] = 0; // adaptive filtering
        header[12] = declareInterlaced ? (byte)1 : (byte)0; // declared only: the rows are written in plain order
        WriteChunk(file, "IHDR", header);
        foreach ((string type, byte[] data) in extraChunks)
            WriteChunk(file, type, data);
        WriteChunk(file, "IDAT", compressed.ToArray());
        WriteChunk(file, "IEND", []);
    }

    private static int Channels(byte colorType) => colorType switch { 2 => 3, 4 => 2, 6 => 4, _ => 1 };

    /// <summary>Applies PNG filter <paramref name="type"/> to raw row <paramref name="row"/> (byte 0 unused) into <paramref name="output"/>.</summary>
    private static void Filter(byte[] row, byte[] previous, byte[] output, byte type, int step)
    {
        output[0] = type;
        for (int i = 1; i < row.Length; i++)
        {
            int a = i - step >= 1 ? row[i - step] : 0, b = previous[i], c = i - step >= 1 ? previous[i - step] : 0;
            int predictor = type switch
            {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                _ => Paeth(a, b, c),
            };
            output[i] = (byte)(row[i] - predictor);
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        var length = new byte[4];
        WriteBigEndian(length, 0, (uint)data.Length);
        stream.Write(length);
        byte[] typeBytes = Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        uint crc = 0xFFFFFFFF;
        foreach (byte b in typeBytes.Concat(data))
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        var crcBytes = new byte[4];
        WriteBigEndian(crcBytes, 0, crc ^ 0xFFFFFFFF);
        stream.Write(crcBytes);
    }

    private static void WriteBigEndian(byte[] buffer, int offset, uint value)
    {
        buffer[offset] = (byte)(value >> 24);
        buffer[offset + 1] = (byte)(value >> 16);
        buffer[offset + 2] = (byte)(value >> 8);
        buffer[offset + 3] = (byte)value;
    }

    private static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
