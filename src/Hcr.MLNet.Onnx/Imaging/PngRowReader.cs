using System.Buffers.Binary;
using System.IO.Compression;

namespace Hcr.MLNet.Imaging;

/// <summary>
/// Reads a non-interlaced PNG one row at a time (inflate, unfilter, convert to BGRA), holding two rows.
/// SkiaSharp's PNG codec decodes only whole images (in 2.88, 3.119 and 4.x alike its row-by-row
/// decoding answers "unimplemented" and a scaled decode "invalid scale"), so a large PNG would need its full-size
/// bitmap; the loader uses this reader for those instead. All bit depths and colour types are read,
/// with tRNS transparency; gamma and colour profiles are ignored, as they barely move ink against paper.
/// </summary>
internal static class PngRowReader
{
    /// <summary>
    /// Calls <paramref name="row"/> with each row (index, unpremultiplied BGRA) in order; for opaque
    /// 8-bit grey images, <paramref name="greyRow"/> with the grey bytes as they are, when given.
    /// </summary>
    public static void Read(Stream stream, string source, Action<int, ReadOnlySpan<byte>> row, Action<int, ReadOnlySpan<byte>>? greyRow = null)
    {
        try
        {
            ReadRows(stream, row, greyRow);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or OverflowException)
        {
            throw new UnusableImageException(source, $"the PNG data is corrupt or ends early ({e.Message})", e);
        }
    }

    private static void ReadRows(Stream stream, Action<int, ReadOnlySpan<byte>> row, Action<int, ReadOnlySpan<byte>>? greyRow)
    {
        Span<byte> signature = stackalloc byte[8];
        stream.ReadExactly(signature);
        var chunks = new ChunkReader(stream);
        Header header = default;
        byte[] palette = [];
        byte[] paletteAlpha = [];
        int[]? transparent = null;
        while (true)
        {
            (string type, int length) = chunks.Next();
            if (type == "IDAT")
            {
                if (header.Width == 0)
                    throw new InvalidDataException("IDAT before IHDR");
                var idat = new IdatStream(stream, chunks, length);
                using var inflater = new ZLibStream(idat, CompressionMode.Decompress);
                DecodeRows(inflater, header, palette, paletteAlpha, transparent, row, greyRow);
                return;
            }
            byte[] data = chunks.ReadData(length);
            switch (type)
            {
                case "IHDR":
                    header = Header.Parse(data);
                    break;
                case "PLTE":
                    palette = data;
                    break;
                case "tRNS":
                    if (header.ColorType == 3)
                        paletteAlpha = data;
                    else if (header.ColorType == 0 && data.Length >= 2)
                        transparent = [BinaryPrimitives.ReadUInt16BigEndian(data)];
                    else if (header.ColorType == 2 && data.Length >= 6)
                        transparent = [BinaryPrimitives.ReadUInt16BigEndian(data), BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(2)), BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(4))];
                    break;
                case "IEND":
                    throw new InvalidDataException("no image data (IDAT)");
            }
        }
    }

    private static void DecodeRows(Stream inflated, Header h, byte[] palette, byte[] paletteAlpha, int[]? transparent,
        Action<int, ReadOnlySpan<byte>> row, Action<int, ReadOnlySpan<byte>>? greyRow)
    {
        int channels = h.ColorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => throw new InvalidDataException($"colour type {h.ColorType}") };
        long rowBits = (long)h.Width * channels * h.BitDepth;
        int rowBytes = checked((int)((rowBits + 7) / 8));
        int filterStep = Math.Max(1, channels * h.BitDepth / 8);
        var current = new byte[rowBytes + 1];
        var previous = new byte[rowBytes + 1];
        var bgra = new byte[checked(h.Width * 4)];
        bool grey = greyRow is not null && h.ColorType == 0 && h.BitDepth == 8 && transparent is null;
        for (int y = 0; y < h.Height; y++)
        {
            inflated.ReadExactly(current);
            Unfilter(current, previous, filterStep);
            if (grey)
            {
                greyRow!(y, current.AsSpan(1));
            }
            else
            {
                ToBgra(current.AsSpan(1), bgra, h, channels, palette, paletteAlpha, transparent);
                row(y, bgra);
            }
            (current, previous) = (previous, current);
        }
    }

    /// <summary>Undoes the row's filter (byte 0: none, sub, up, average, Paeth) in place; <paramref name="previous"/> is the unfiltered row above.</summary>
    internal static void Unfilter(byte[] current, byte[] previous, int step)
    {
        byte filter = current[0];
        Span<byte> c = current.AsSpan(1), p = previous.AsSpan(1);
        switch (filter)
        {
            case 0:
                break;
            case 1:
                for (int i = step; i < c.Length; i++)
                    c[i] += c[i - step];
                break;
            case 2:
                for (int i = 0; i < c.Length; i++)
                    c[i] += p[i];
                break;
            case 3:
                for (int i = 0; i < c.Length; i++)
                    c[i] += (byte)(((i >= step ? c[i - step] : 0) + p[i]) / 2);
                break;
            case 4:
                for (int i = 0; i < c.Length; i++)
                {
                    int a = i >= step ? c[i - step] : 0, b = p[i], d = i >= step ? p[i - step] : 0;
                    int estimate = a + b - d, pa = Math.Abs(estimate - a), pb = Math.Abs(estimate - b), pc = Math.Abs(estimate - d);
                    c[i] += (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : d);
                }
                break;
            default:
                throw new InvalidDataException($"unknown row filter {filter}");
        }
    }

    private static void ToBgra(ReadOnlySpan<byte> data, byte[] bgra, Header h, int channels, byte[] palette, byte[] paletteAlpha, int[]? transparent)
    {
        // The common cases (8 bits, no transparent colour) in straight loops: a 20000-pixel row is 80 kB.
        if (h.BitDepth == 8 && transparent is null && h.ColorType != 3)
        {
            for (int x = 0; x < h.Width; x++)
            {
                int s = x * channels, d = x * 4;
                switch (h.ColorType)
                {
                    case 0:
                        bgra[d] = bgra[d + 1] = bgra[d + 2] = data[s];
                        bgra[d + 3] = 255;
                        break;
                    case 2:
                        (bgra[d], bgra[d + 1], bgra[d + 2], bgra[d + 3]) = (data[s + 2], data[s + 1], data[s], (byte)255);
                        break;
                    case 4:
                        bgra[d] = bgra[d + 1] = bgra[d + 2] = data[s];
                        bgra[d + 3] = data[s + 1];
                        break;
                    default:
                        (bgra[d], bgra[d + 1], bgra[d + 2], bgra[d + 3]) = (data[s + 2], data[s + 1], data[s], data[s + 3]);
                        break;
                }
            }
            return;
        }
        for (int x = 0; x < h.Width; x++)
        {
            byte r, g, b, a = 255;
            switch (h.ColorType)
            {
                case 0:
                    int grey = Sample(data, x, 0, channels, h.BitDepth);
                    r = g = b = To8(grey, h.BitDepth);
                    if (transparent is not null && grey == transparent[0])
                        a = 0;
                    break;
                case 2:
                    int sr = Sample(data, x, 0, channels, h.BitDepth), sg = Sample(data, x, 1, channels, h.BitDepth), sb = Sample(data, x, 2, channels, h.BitDepth);
                    (r, g, b) = (To8(sr, h.BitDepth), To8(sg, h.BitDepth), To8(sb, h.BitDepth));
                    if (transparent is not null && sr == transparent[0] && sg == transparent[1] && sb == transparent[2])
                        a = 0;
                    break;
                case 3:
                    int entry = Sample(data, x, 0, channels, h.BitDepth);
                    if (entry * 3 + 2 >= palette.Length)
                        throw new InvalidDataException($"palette index {entry} outside the palette");
                    (r, g, b) = (palette[entry * 3], palette[entry * 3 + 1], palette[entry * 3 + 2]);
                    if (entry < paletteAlpha.Length)
                        a = paletteAlpha[entry];
                    break;
                case 4:
                    r = g = b = To8(Sample(data, x, 0, channels, h.BitDepth), h.BitDepth);
                    a = To8(Sample(data, x, 1, channels, h.BitDepth), h.BitDepth);
                    break;
                default:
                    (r, g, b) = (To8(Sample(data, x, 0, channels, h.BitDepth), h.BitDepth), To8(Sample(data, x, 1, channels, h.BitDepth), h.BitDepth),
                        To8(Sample(data, x, 2, channels, h.BitDepth), h.BitDepth));
                    a = To8(Sample(data, x, 3, channels, h.BitDepth), h.BitDepth);
                    break;
            }
            (bgra[x * 4], bgra[x * 4 + 1], bgra[x * 4 + 2], bgra[x * 4 + 3]) = (b, g, r, a);
        }
    }

    /// <summary>Sample <paramref name="channel"/> of pixel <paramref name="x"/> at the file's bit depth (samples are packed big-end first).</summary>
    private static int Sample(ReadOnlySpan<byte> data, int x, int channel, int channels, int depth)
    {
        long bit = ((long)x * channels + channel) * depth;
        int index = (int)(bit / 8);
        return depth switch
        {
            16 => (data[index] << 8) | data[index + 1],
            8 => data[index],
            _ => (data[index] >> (8 - depth - (int)(bit % 8))) & ((1 << depth) - 1),
        };
    }

    private static byte To8(int sample, int depth) => (byte)(depth == 16 ? sample >> 8 : sample * 255 / ((1 << depth) - 1));

    private readonly record struct Header(int Width, int Height, int BitDepth, int ColorType, bool Interlaced)
    {
        public static Header Parse(byte[] data)
        {
            if (data.Length < 13)
                throw new InvalidDataException("short IHDR");
            var header = new Header(BinaryPrimitives.ReadInt32BigEndian(data), BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4)), data[8], data[9], data[12] != 0);
            if (header.Width <= 0 || header.Height <= 0 || header.BitDepth is not (1 or 2 or 4 or 8 or 16) || header.Interlaced)
                throw new InvalidDataException("an IHDR this reader does not handle");
            return header;
        }
    }

    /// <summary>Walks chunk headers; the CRCs are skipped (zlib's own checksum guards the image data).</summary>
    private sealed class ChunkReader(Stream stream)
    {
        private readonly byte[] _header = new byte[8];
        private bool _pendingCrc;

        public (string Type, int Length) Next()
        {
            if (_pendingCrc)
                Skip(4);
            stream.ReadExactly(_header);
            _pendingCrc = true;
            int length = BinaryPrimitives.ReadInt32BigEndian(_header);
            if (length < 0)
                throw new InvalidDataException("negative chunk length");
            return (System.Text.Encoding.ASCII.GetString(_header, 4, 4), length);
        }

        public byte[] ReadData(int length)
        {
            // Ancillary chunks are small; a huge one is read past, not held.
            if (length > 1 << 20)
            {
                Skip(length);
                return [];
            }
            var data = new byte[length];
            stream.ReadExactly(data);
            return data;
        }

        private void Skip(long count)
        {
            if (stream.CanSeek)
            {
                if (stream.Position + count > stream.Length)
                    throw new EndOfStreamException();
                stream.Seek(count, SeekOrigin.Current);
                return;
            }
            var sink = new byte[4096];
            while (count > 0)
            {
                int read = stream.Read(sink, 0, (int)Math.Min(sink.Length, count));
                if (read == 0)
                    throw new EndOfStreamException();
                count -= read;
            }
        }
    }

    /// <summary>The concatenated data of consecutive IDAT chunks, as one stream.</summary>
    private sealed class IdatStream(Stream stream, ChunkReader chunks, int firstLength) : Stream
    {
        private int _left = firstLength;
        private bool _ended;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            while (_left == 0 && !_ended)
            {
                (string type, int length) = chunks.Next();
                if (type == "IDAT")
                    _left = length;
                else
                    _ended = true;
            }
            if (_ended || buffer.IsEmpty)
                return 0;
            int read = stream.Read(buffer[..Math.Min(buffer.Length, _left)]);
            if (read == 0)
                throw new EndOfStreamException();
            _left -= read;
            return read;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
