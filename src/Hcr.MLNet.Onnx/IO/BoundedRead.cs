using System.Buffers;
using System.IO.Compression;
using System.Text;

namespace Hcr.MLNet.IO;

/// <summary>
/// Reads whose sizes come from the file itself, each held to what the format can hold, so that a damaged or
/// hostile file fails with a <see cref="ModelFormatException"/> naming it, never with an overflow, a negative
/// length or an allocation of gigabytes.
/// </summary>
internal static class BoundedRead
{
    private const int CopyChunk = 81920;

    // BinaryWriter writes strings as valid UTF-8 (it replaces lone surrogates), so invalid UTF-8 means damage.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Exactly <paramref name="count"/> bytes.</summary>
    /// <exception cref="ModelFormatException">The stream ends first.</exception>
    public static byte[] Bytes(BinaryReader reader, int count, string source)
    {
        byte[] bytes = reader.ReadBytes(count);
        if (bytes.Length != count)
            throw Truncated(source);
        return bytes;
    }

    /// <summary>
    /// A string as <see cref="BinaryWriter.Write(string)"/> writes it (its UTF-8 byte count 7-bit encoded, then the bytes),
    /// of at most <see cref="ModelFormats.MaxStringBytes"/> bytes; <paramref name="what"/> names it in errors.
    /// </summary>
    public static string String(BinaryReader reader, string source, string what)
    {
        int length;
        try
        {
            length = reader.Read7BitEncodedInt();
        }
        catch (FormatException e)
        {
            throw new ModelFormatException(source, $"the length of {what} is not a valid number; the file is corrupt.", e);
        }
        if (length is < 0 or > ModelFormats.MaxStringBytes)
            throw new ModelFormatException(source, $"{what} claims a length of {length} bytes (0 to {ModelFormats.MaxStringBytes} are possible); the file is corrupt.");
        byte[] bytes = Bytes(reader, length, source);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new ModelFormatException(source, $"{what} is not valid UTF-8; the file is corrupt.", e);
        }
    }

    /// <summary>
    /// A non-negative number in TorchSharp's encoding (unsigned LEB128: 7 bits a byte, low bits first, high bit set
    /// on all but the last byte), of at most 9 bytes so that it fits a long without turning negative.
    /// </summary>
    public static long Leb128(BinaryReader reader, string source, string what)
    {
        long value = 0;
        for (int shift = 0; shift < 63; shift += 7)
        {
            byte b = reader.ReadByte();
            value |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return value;
        }
        throw new ModelFormatException(source, $"{what} is not a valid number (more than 9 bytes long); the file is corrupt.");
    }

    /// <summary>
    /// The whole of a zip entry, refused before inflating when its declared size exceeds <paramref name="limit"/>, and
    /// while inflating as soon as it yields more than it declares (a header can lie; the inflater cannot).
    /// </summary>
    public static MemoryStream ZipEntry(ZipArchiveEntry entry, long limit, string source)
    {
        if (entry.Length > limit)
        {
            throw new ModelFormatException(source,
                $"its '{entry.FullName}' entry declares {entry.Length:N0} bytes, more than such an entry holds (at most {limit:N0}); the file is damaged or not a model.");
        }
        using Stream stream = entry.Open();
        return Stream(stream, entry.Length, source, $"its '{entry.FullName}' entry inflates to more than the {entry.Length:N0} bytes it declares; the file is damaged or not a model.");
    }

    /// <summary>
    /// Checks a zip held in memory (an ML.NET model) without keeping what it inflates to: together its entries may
    /// inflate to at most <paramref name="limit"/> bytes, each no more than it declares. The stream is rewound.
    /// </summary>
    public static void NestedZip(MemoryStream zipBytes, long limit, string source, string what)
    {
        long total = 0;
        byte[] chunk = ArrayPool<byte>.Shared.Rent(CopyChunk);
        try
        {
            using (var zip = new ZipArchive(zipBytes, ZipArchiveMode.Read, leaveOpen: true))
            {
                foreach (ZipArchiveEntry entry in zip.Entries)
                {
                    total += entry.Length;
                    if (entry.Length < 0 || total > limit)
                        throw new ModelFormatException(source, $"{what} declares more than {limit:N0} bytes of content; the file is damaged or not a model.");
                    using Stream stream = entry.Open();
                    long inflated = 0;
                    int read;
                    while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
                    {
                        inflated += read;
                        if (inflated > entry.Length)
                            throw new ModelFormatException(source, $"{what}: its entry '{entry.FullName}' inflates to more than it declares; the file is damaged or not a model.");
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
            zipBytes.Position = 0;
        }
    }

    /// <summary>The rest of <paramref name="stream"/>, refused with <paramref name="tooLong"/> once it exceeds <paramref name="limit"/> bytes.</summary>
    public static MemoryStream Stream(Stream stream, long limit, string source, string tooLong)
    {
        // Grown as data arrives, not sized from a declared length that may be a lie.
        var buffer = new MemoryStream((int)Math.Min(limit, 1 << 20));
        byte[] chunk = ArrayPool<byte>.Shared.Rent(CopyChunk);
        try
        {
            int read;
            while ((read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, limit - buffer.Length + 1))) > 0)
            {
                if (buffer.Length + read > limit)
                    throw new ModelFormatException(source, tooLong);
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        buffer.Position = 0;
        return buffer;
    }

    /// <summary>The error for a file that ends before its content does.</summary>
    public static ModelFormatException Truncated(string source, Exception? inner = null) => new(source, "the file is truncated.", inner);
}
