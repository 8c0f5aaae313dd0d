using System.Buffers.Binary;
using System.IO.Compression;
using Hcr.MLNet.IO;

namespace Hcr.MLNet.Data;

/// <summary>
/// Reads unsigned-byte IDX files (the MNIST/EMNIST format), plain or gzipped: a big-endian header
/// <c>00 00 08 ndims</c>, the dimension sizes, then the bytes.
/// </summary>
internal static class IdxFile
{
    private const byte UnsignedByteType = 0x08;

    /// <summary>Reads an IDX3 image file and returns the images upright (the files store them transposed).</summary>
    public static byte[] ReadImages(string path, out int count)
    {
        using Stream stream = OpenMaybeGzipped(path);
        int[] dims = ReadHeader(stream, path, expectedRank: 3);
        if (dims[1] != EmnistDataset.ImageSize || dims[2] != EmnistDataset.ImageSize)
        {
            throw new EmnistFormatException(path,
                $"images are {dims[1]}x{dims[2]}, but EMNIST images are {EmnistDataset.ImageSize}x{EmnistDataset.ImageSize}.");
        }
        count = dims[0];
        long length = (long)count * EmnistDataset.PixelsPerImage;
        byte[] pixels = AllocateBody(path, length, $"{count:N0} images");
        ReadBody(stream, path, pixels, $"{count:N0} images of {EmnistDataset.PixelsPerImage} bytes");
        TransposeEach(pixels, EmnistDataset.ImageSize);
        return pixels;
    }

    /// <summary>Reads an IDX1 label file.</summary>
    public static byte[] ReadLabels(string path)
    {
        using Stream stream = OpenMaybeGzipped(path);
        int[] dims = ReadHeader(stream, path, expectedRank: 1);
        byte[] labels = AllocateBody(path, dims[0], $"{dims[0]:N0} labels");
        ReadBody(stream, path, labels, $"{dims[0]:N0} labels");
        return labels;
    }

    /// <summary>Opens a file, transparently decompressing it when it starts with the gzip magic bytes.</summary>
    internal static Stream OpenMaybeGzipped(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"EMNIST data file not found: {path}", path);
        RegularFile.Require(path, problem => new EmnistFormatException(path, problem));
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        Span<byte> magic = stackalloc byte[2];
        int read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        if (read == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
            return new GZipStream(file, CompressionMode.Decompress, leaveOpen: false);
        return file;
    }

    private static int[] ReadHeader(Stream stream, string path, int expectedRank)
    {
        Span<byte> magic = stackalloc byte[4];
        ReadOrThrow(stream, path, magic, "the 4-byte IDX magic number");
        uint value = BinaryPrimitives.ReadUInt32BigEndian(magic);
        uint expected = (uint)(UnsignedByteType << 8 | expectedRank);
        if (value != expected)
        {
            throw new EmnistFormatException(path,
                $"wrong magic number 0x{value:X8}; an IDX{expectedRank} unsigned-byte file starts with 0x{expected:X8}.");
        }

        var dims = new int[expectedRank];
        Span<byte> dim = stackalloc byte[4];
        for (int i = 0; i < expectedRank; i++)
        {
            ReadOrThrow(stream, path, dim, $"dimension {i + 1} of the header");
            int size = BinaryPrimitives.ReadInt32BigEndian(dim);
            if (size < 0)
                throw new EmnistFormatException(path, $"dimension {i + 1} is negative ({size}).");
            dims[i] = size;
        }
        return dims;
    }

    private static byte[] AllocateBody(string path, long length, string what)
    {
        if (length > Array.MaxLength)
            throw new EmnistFormatException(path, $"the header declares {what}, more than one array can hold.");
        return new byte[length];
    }

    private static void ReadBody(Stream stream, string path, byte[] body, string what)
    {
        int total = ReadFully(stream, path, body);
        if (total < body.Length)
            throw new EmnistFormatException(path, $"file is truncated: the header declares {what} ({body.Length:N0} bytes) but only {total:N0} bytes follow.");
        // Official files end exactly where the header says; anything else is a different file.
        Span<byte> extra = stackalloc byte[1];
        if (ReadFully(stream, path, extra) != 0)
            throw new EmnistFormatException(path, $"file is longer than the {what} its header declares.");
    }

    private static void ReadOrThrow(Stream stream, string path, Span<byte> buffer, string what)
    {
        if (ReadFully(stream, path, buffer) < buffer.Length)
            throw new EmnistFormatException(path, $"file is truncated: it ends inside {what}.");
    }

    private static int ReadFully(Stream stream, string path, Span<byte> buffer)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw new EmnistFormatException(path, $"the gzip stream is corrupt or truncated ({e.Message}).", e);
        }
    }

    /// <summary>Transposes every square <paramref name="side"/>×<paramref name="side"/> image in place.</summary>
    internal static void TransposeEach(Span<byte> images, int side)
    {
        int area = side * side;
        for (int offset = 0; offset + area <= images.Length; offset += area)
        {
            Span<byte> image = images.Slice(offset, area);
            for (int r = 1; r < side; r++)
            {
                for (int c = 0; c < r; c++)
                {
                    (image[r * side + c], image[c * side + r]) = (image[c * side + r], image[r * side + c]);
                }
            }
        }
    }
}
