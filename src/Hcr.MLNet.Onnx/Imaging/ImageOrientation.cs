using SkiaSharp;

namespace Hcr.MLNet.Imaging;

/// <summary>
/// Applies a photo's EXIF orientation, so that a character photographed with the phone held sideways
/// comes out upright, as the camera's viewer showed it. Done on the small decoded image, after downscaling.
/// </summary>
internal static class ImageOrientation
{
    /// <summary>Returns the pixels (4 bytes each) as they are displayed, and their size.</summary>
    public static (byte[] Pixels, int Width, int Height) Apply(byte[] pixels, int width, int height, SKEncodedOrigin origin)
    {
        if (origin is SKEncodedOrigin.TopLeft or (SKEncodedOrigin)0)
            return (pixels, width, height);
        bool swaps = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        int outWidth = swaps ? height : width, outHeight = swaps ? width : height;
        var result = new byte[pixels.Length];
        for (int y = 0; y < outHeight; y++)
        {
            for (int x = 0; x < outWidth; x++)
            {
                // Where displayed pixel (x, y) is stored; the origin names where the stored first row and column are shown.
                (int sx, int sy) = origin switch
                {
                    SKEncodedOrigin.TopRight => (width - 1 - x, y),
                    SKEncodedOrigin.BottomRight => (width - 1 - x, height - 1 - y),
                    SKEncodedOrigin.BottomLeft => (x, height - 1 - y),
                    SKEncodedOrigin.LeftTop => (y, x),
                    SKEncodedOrigin.RightTop => (y, height - 1 - x),
                    SKEncodedOrigin.RightBottom => (width - 1 - y, height - 1 - x),
                    SKEncodedOrigin.LeftBottom => (width - 1 - y, x),
                    _ => (x, y),
                };
                pixels.AsSpan((sy * width + sx) * 4, 4).CopyTo(result.AsSpan((y * outWidth + x) * 4, 4));
            }
        }
        return (result, outWidth, outHeight);
    }
}
