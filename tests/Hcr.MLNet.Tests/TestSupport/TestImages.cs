using Microsoft.ML.Data;
using SkiaSharp;

namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>Images the imaging tests draw and encode themselves.</summary>
public static class TestImages
{
    /// <summary>Encodes RGBA pixels (unpremultiplied) as PNG, JPEG, … with SkiaSharp.</summary>
    public static byte[] Encode(byte[] rgba, int width, int height, SKEncodedImageFormat format, int quality = 90)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using SKImage image = SKImage.FromPixelCopy(info, rgba, width * 4);
        using SKData data = image.Encode(format, quality);
        return data.ToArray();
    }

    /// <summary>RGBA of a grey image (opaque).</summary>
    public static byte[] GreyToRgba(byte[] grey)
    {
        var rgba = new byte[grey.Length * 4];
        for (int i = 0; i < grey.Length; i++)
        {
            rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = grey[i];
            rgba[i * 4 + 3] = 255;
        }
        return rgba;
    }

    /// <summary>An opaque grey MLImage (Bgra32).</summary>
    public static MLImage GreyImage(byte[] grey, int width, int height)
    {
        var bgra = GreyToRgba(grey);
        return MLImage.CreateFromPixels(width, height, MLPixelFormat.Bgra32, bgra);
    }

    /// <summary>A filled disc of <paramref name="ink"/> on <paramref name="paper"/>, grey.</summary>
    public static byte[] Disc(int width, int height, double cx, double cy, double radius, byte ink, byte paper)
    {
        var grey = new byte[width * height];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
                grey[y * width + x] = (x + 0.5 - cx) * (x + 0.5 - cx) + (y + 0.5 - cy) * (y + 0.5 - cy) <= radius * radius ? ink : paper;
        }
        return grey;
    }

    /// <summary>A ring (annulus) of <paramref name="ink"/> on <paramref name="paper"/>, grey: a stroke of known width.</summary>
    public static byte[] Ring(int width, int height, double cx, double cy, double outer, double inner, byte ink, byte paper)
    {
        var grey = new byte[width * height];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double d2 = (x + 0.5 - cx) * (x + 0.5 - cx) + (y + 0.5 - cy) * (y + 0.5 - cy);
                grey[y * width + x] = d2 <= outer * outer && d2 >= inner * inner ? ink : paper;
            }
        }
        return grey;
    }

    /// <summary>Inserts an EXIF block with the given orientation tag (1..8) right after a JPEG's start marker.</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, ushort orientation)
    {
        byte[] app1 =
        [
            0xFF, 0xE1, 0x00, 0x22,                         // APP1, 34 bytes after the marker
            (byte)'E', (byte)'x', (byte)'i', (byte)'f', 0, 0,
            (byte)'I', (byte)'I', 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00, // little-endian TIFF, first IFD at 8
            0x01, 0x00,                                     // one entry
            0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, // Orientation, SHORT, count 1
            (byte)orientation, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00,                         // no next IFD
        ];
        return [.. jpeg.AsSpan(0, 2), .. app1, .. jpeg.AsSpan(2)];
    }
}
