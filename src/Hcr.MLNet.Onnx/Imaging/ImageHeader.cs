using SkiaSharp;

namespace Hcr.MLNet.Imaging;

/// <summary>
/// What a quick look at an encoded image's header tells before decoding: whether its format forces the
/// decoder to hold the whole full-size image in memory at once. Interlaced PNGs (Adam7) and progressive
/// JPEGs do: Skia's row-by-row decoder buffers an interlaced PNG whole, and libjpeg keeps every DCT
/// coefficient of a progressive JPEG, even when decoding at a reduced scale.
/// </summary>
internal static class ImageHeader
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Reads the header from <paramref name="stream"/> (seekable), then puts the stream back where it was.</summary>
    public static bool NeedsWholeImageBuffer(Stream stream)
    {
        long start = stream.Position;
        try
        {
            Span<byte> head = stackalloc byte[29];
            int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            head = head[..read];
            if (head.Length == 29 && head[..8].SequenceEqual(PngSignature))
                return head[28] != 0; // IHDR's interlace method: 0 none, 1 Adam7.
            if (head.Length >= 2 && head[0] == 0xFF && head[1] == 0xD8)
            {
                stream.Position = start + 2;
                return IsProgressiveJpeg(stream);
            }
            return false;
        }
        finally
        {
            stream.Position = start;
        }
    }

    /// <summary>Walks the JPEG segments after SOI up to the first start-of-frame marker.</summary>
    private static bool IsProgressiveJpeg(Stream stream)
    {
        Span<byte> marker = stackalloc byte[4];
        // A real header has a few dozen segments at most; the bound stops a crafted file from looping.
        for (int segment = 0; segment < 1000; segment++)
        {
            if (stream.ReadAtLeast(marker, 4, throwOnEndOfStream: false) < 4 || marker[0] != 0xFF)
                return false;
            byte code = marker[1];
            // SOF markers are C0..CF except C4 (DHT), C8 (JPG) and CC (DAC); C2, C6, CA and CE are progressive.
            if (code is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
                return code is 0xC2 or 0xC6 or 0xCA or 0xCE;
            if (code == 0xDA)
                return false; // Start of scan before any frame header: not a valid JPEG; the decoder will say so.
            int length = (marker[2] << 8) | marker[3];
            if (length < 2)
                return false;
            stream.Seek(length - 2, SeekOrigin.Current);
        }
        return false;
    }

    /// <summary>
    /// The encoded image's size as the loader turns it upright (EXIF orientation applied), from its
    /// header alone; null when the codec cannot read it. The stream is left where it was.
    /// </summary>
    public static (int Width, int Height)? UprightSize(Stream stream)
    {
        long start = stream.Position;
        try
        {
            using var skiaStream = new SKManagedStream(stream, disposeManagedStream: false);
            using SKCodec? codec = SKCodec.Create(skiaStream);
            if (codec is null)
                return null;
            bool swaps = codec.EncodedOrigin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
            return swaps ? (codec.Info.Height, codec.Info.Width) : (codec.Info.Width, codec.Info.Height);
        }
        finally
        {
            stream.Position = start;
        }
    }
}
