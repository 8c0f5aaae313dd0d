using SkiaSharp;

namespace Hcr.MLNet.Imaging;

/// <summary>
/// Decodes an image no larger than the working size without ever holding the full-size bitmap:
/// JPEG (and WebP) decode directly at a reduced scale, and the rest of the reduction is done on rows
/// as the codec hands them out (JPEG, BMP) or, for PNG, whose Skia codec decodes only whole images, as
/// <see cref="PngRowReader"/> reads them; memory is one source row plus the small result. Only
/// formats that can be decoded neither way (GIF, interlaced PNG, progressive JPEG) are decoded whole,
/// up to <see cref="CharacterImageLoaderOptions.MaxWholeDecodePixels"/>.
/// </summary>
internal static class DownscalingDecoder
{
    /// <summary>Decodes to opaque BGRA (alpha composited over white), upright per the EXIF orientation.</summary>
    /// <param name="codec">The codec, over <paramref name="stream"/>.</param>
    /// <param name="stream">The encoded image, starting at position 0 (read again for large PNGs).</param>
    /// <param name="needsWholeImageBuffer">Whether the encoding is interlaced or progressive (<see cref="ImageHeader"/>).</param>
    /// <param name="source">The image's name for errors.</param>
    /// <param name="options">Sizes and limits.</param>
    public static (byte[] Pixels, int Width, int Height) Decode(SKCodec codec, Stream stream, bool needsWholeImageBuffer, string source, CharacterImageLoaderOptions options)
    {
        int width = codec.Info.Width, height = codec.Info.Height;
        if (width < options.MinimumSize || height < options.MinimumSize)
        {
            throw new UnusableImageException(source,
                $"the image is {width}x{height} pixels, too small to hold a character (at least {options.MinimumSize}x{options.MinimumSize} needed).");
        }
        if (needsWholeImageBuffer && (long)width * height > options.MaxWholeDecodePixels)
        {
            throw new UnusableImageException(source,
                $"the image is {width}x{height} pixels in an interlaced or progressive encoding, which can only be decoded whole; " +
                $"images of that kind are limited to {options.MaxWholeDecodePixels} pixels (CharacterImageLoaderOptions.MaxWholeDecodePixels).");
        }

        float scale = Math.Min(1f, (float)options.WorkingSize / Math.Max(width, height));
        // The codec's own reduction (1/8 steps for JPEG) does what it can; the box average does the rest.
        int outWidth = Math.Max(1, (int)Math.Round(width * scale));
        int outHeight = Math.Max(1, (int)Math.Round(height * scale));
        SKSizeI decoded = new(width, height);
        if (scale < 1f)
        {
            // The codec rounds to its nearest supported scale (eighths for JPEG), which may fall short of
            // the working size; ask for a little more until it does not.
            for (float desired = scale; desired < 1f; desired = Math.Min(1f, desired * 1.1f))
            {
                SKSizeI candidate = codec.GetScaledDimensions(desired);
                if (candidate.Width >= outWidth && candidate.Height >= outHeight)
                {
                    decoded = candidate;
                    break;
                }
            }
        }

        var info = new SKImageInfo(decoded.Width, decoded.Height, SKColorType.Bgra8888, SKAlphaType.Unpremul);
        var box = new BoxDownsampler(decoded.Width, decoded.Height, outWidth, outHeight);
        SKEncodedOrigin origin = codec.EncodedOrigin;
        bool shrinks = outWidth < decoded.Width || outHeight < decoded.Height;
        if (!TryDecodeRows(codec, info, box, source))
        {
            if (shrinks && codec.EncodedFormat == SKEncodedImageFormat.Png && !needsWholeImageBuffer)
            {
                stream.Position = 0;
                PngRowReader.Read(stream, source, box.AddRow, box.AddGreyRow);
            }
            else
            {
                DecodeWhole(codec, info, box, source, options);
            }
        }
        return ImageOrientation.Apply(box.ToBgra(), outWidth, outHeight, origin);
    }

    private static unsafe bool TryDecodeRows(SKCodec codec, SKImageInfo info, BoxDownsampler box, string source)
    {
        SKCodecResult start = codec.StartScanlineDecode(info);
        if (start is SKCodecResult.Unimplemented or SKCodecResult.InvalidScale or SKCodecResult.InvalidConversion)
            return false;
        if (start != SKCodecResult.Success)
            throw new UnusableImageException(source, $"the image cannot be decoded ({start}).");
        var row = new byte[info.RowBytes];
        fixed (byte* pointer = row)
        {
            for (int i = 0; i < info.Height; i++)
            {
                if (codec.GetScanlines((IntPtr)pointer, 1, info.RowBytes) != 1)
                    throw new UnusableImageException(source, $"the image data ends early or is corrupt (row {i + 1} of {info.Height} could not be decoded).");
                // Bottom-up formats (some BMPs) hand rows out last row first.
                box.AddRow(codec.GetOutputScanline(i), row);
            }
        }
        return true;
    }

    private static unsafe void DecodeWhole(SKCodec codec, SKImageInfo info, BoxDownsampler box, string source, CharacterImageLoaderOptions options)
    {
        if ((long)info.Width * info.Height > options.MaxWholeDecodePixels)
        {
            throw new UnusableImageException(source,
                $"the image is {info.Width}x{info.Height} pixels in a format that can only be decoded whole; such images are limited to " +
                $"{options.MaxWholeDecodePixels} pixels (CharacterImageLoaderOptions.MaxWholeDecodePixels).");
        }
        var pixels = new byte[(long)info.RowBytes * info.Height];
        SKCodecResult result;
        fixed (byte* pointer = pixels)
            result = codec.GetPixels(info, (IntPtr)pointer);
        if (result != SKCodecResult.Success)
        {
            throw new UnusableImageException(source, result == SKCodecResult.IncompleteInput
                ? "the image data ends early (a truncated file)."
                : $"the image cannot be decoded ({result}).");
        }
        for (int y = 0; y < info.Height; y++)
            box.AddRow(y, pixels.AsSpan(y * info.RowBytes, info.RowBytes));
    }
}
