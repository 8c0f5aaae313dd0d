using Microsoft.ML.Data;

namespace Hcr.MLNet.Imaging;

/// <summary>Step 1: colour to grey (luma), with any transparency shown over white paper.</summary>
internal static class GreyConversion
{
    // Rec. 601 luma, the weights of ImageAnalytics' ConvertToGrayscale (0.3, 0.59, 0.11) to two decimals.
    private const float Red = 0.299f, Green = 0.587f, Blue = 0.114f;

    public static GreyImage ToGrey(MLImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return ToGrey(image.Pixels, image.Width, image.Height, image.PixelFormat);
    }

    /// <summary>
    /// Pixels are 4 bytes each. MLImage holds Skia bitmaps, whose colours are premultiplied by alpha, so
    /// "over white" is c + (255 − a); for opaque pixels (what <see cref="CharacterImageLoader"/> gives) it is just c.
    /// </summary>
    public static GreyImage ToGrey(ReadOnlySpan<byte> pixels, int width, int height, MLPixelFormat format)
    {
        if (format is not (MLPixelFormat.Bgra32 or MLPixelFormat.Rgba32))
            throw new ArgumentException($"Images must be Bgra32 or Rgba32, not {format}.", nameof(format));
        if (pixels.Length < width * height * 4)
            throw new ArgumentException($"A {width}x{height} image needs {width * height * 4} bytes, not {pixels.Length}.", nameof(pixels));
        int r = format == MLPixelFormat.Bgra32 ? 2 : 0, b = 2 - r;
        var grey = new GreyImage(width, height);
        float[] data = grey.Data;
        for (int i = 0, p = 0; i < data.Length; i++, p += 4)
        {
            float luma = Red * pixels[p + r] + Green * pixels[p + 1] + Blue * pixels[p + b];
            data[i] = Math.Min(255f, luma + (255 - pixels[p + 3]));
        }
        return grey;
    }
}
