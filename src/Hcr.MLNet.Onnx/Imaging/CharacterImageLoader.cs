using System.Globalization;
using Hcr.MLNet.IO;
using Microsoft.ML.Data;
using SkiaSharp;

namespace Hcr.MLNet.Imaging;

/// <summary>
/// Loads a photo or scan of one handwritten character safely: the image is decoded straight to at most
/// <see cref="CharacterImageLoaderOptions.WorkingSize"/> pixels on its long side (a 20000×20000 image
/// never becomes a 1.6 GB bitmap), transparency is composited over white, the EXIF orientation is
/// applied, and every failure is a typed exception naming the source: <see cref="FileNotFoundException"/>
/// for a missing file, <see cref="UnusableImageException"/> for an empty, undecodable or tiny image.
/// The result is an opaque <see cref="MLPixelFormat.Bgra32"/> <see cref="MLImage"/>, ready for
/// <see cref="InkNormalizer"/> or ML.NET's image transforms. Instances are immutable and thread-safe.
/// </summary>
public sealed class CharacterImageLoader
{
    /// <summary>Creates a loader; <paramref name="options"/> null for the defaults.</summary>
    public CharacterImageLoader(CharacterImageLoaderOptions? options = null)
    {
        Options = options ?? new CharacterImageLoaderOptions();
        Options.Validate();
    }

    /// <summary>
    /// The file extensions of the formats the loader decodes, lower case with the dot (<c>.png</c>, <c>.jpg</c>, …):
    /// what an application should pick up from a folder or offer in a file dialog. TIFF, HEIC and camera
    /// RAW files are not among them.
    /// </summary>
    public static IReadOnlyList<string> FileExtensions { get; } = [".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".ico", ".wbmp"];

    /// <summary>The options in force.</summary>
    public CharacterImageLoaderOptions Options { get; }

    /// <summary>Loads the image file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UnusableImageException">
    /// The file is empty, not an image, or too large, or it is a named pipe, a socket or a device (refused before it is opened).
    /// </exception>
    public MLImage Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: the image file does not exist.", path);
        RegularFile.Require(path, problem => new UnusableImageException(path, problem));
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return LoadSeekable(stream, path);
    }

    /// <summary>
    /// Loads an image from <paramref name="stream"/>, read from its current position; the stream is left
    /// open. <paramref name="sourceName"/> names it in errors.
    /// </summary>
    public MLImage Load(Stream stream, string sourceName = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (stream.CanSeek && stream.Position == 0)
            return LoadSeekable(stream, sourceName);
        // The codecs rewind to the stream's start while probing; a forward-only stream, or one whose
        // image starts further in, is copied (its encoded bytes only, at most MaxEncodedBytes of them).
        using MemoryStream copy = BoundedCopy(stream, sourceName);
        return LoadSeekable(copy, sourceName);
    }

    /// <summary>The rest of <paramref name="stream"/> in memory, refused once it passes <see cref="CharacterImageLoaderOptions.MaxEncodedBytes"/>.</summary>
    private MemoryStream BoundedCopy(Stream stream, string source)
    {
        var copy = new MemoryStream();
        var buffer = new byte[1 << 16];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (copy.Length + read > Options.MaxEncodedBytes)
            {
                copy.Dispose();
                throw TooLarge(source);
            }
            copy.Write(buffer, 0, read);
        }
        copy.Position = 0;
        return copy;
    }

    private UnusableImageException TooLarge(string source) => new(source, string.Create(CultureInfo.InvariantCulture,
        $"the encoded image is larger than {Options.MaxEncodedBytes:N0} bytes (CharacterImageLoaderOptions.MaxEncodedBytes)."));

    /// <summary>Loads an encoded image (the bytes of a JPEG, PNG, … file). <paramref name="sourceName"/> names it in errors.</summary>
    public MLImage Load(byte[] encoded, string sourceName = "byte array")
    {
        ArgumentNullException.ThrowIfNull(encoded);
        using var stream = new MemoryStream(encoded, writable: false);
        return LoadSeekable(stream, sourceName);
    }

    /// <summary>Loads from a seekable stream at position 0.</summary>
    private MLImage LoadSeekable(Stream stream, string source)
    {
        if (stream.Length - stream.Position <= 0)
            throw new UnusableImageException(source, "the image is empty (0 bytes).");
        if (stream.Length - stream.Position > Options.MaxEncodedBytes)
            throw TooLarge(source);
        bool wholeImageBuffer = ImageHeader.NeedsWholeImageBuffer(stream);
        // The codec owns the Skia stream wrapper, which must not close the caller's stream.
        using var skiaStream = new SKManagedStream(stream, disposeManagedStream: false);
        using SKCodec? codec = SKCodec.Create(skiaStream, out SKCodecResult result);
        if (codec is null)
        {
            throw new UnusableImageException(source, result == SKCodecResult.IncompleteInput
                ? "the image header is truncated."
                : $"the data is not an image in a format the loader decodes ({string.Join(" ", FileExtensions)}).");
        }
        (byte[] pixels, int width, int height) = DownscalingDecoder.Decode(codec, stream, wholeImageBuffer, source, Options);
        return MLImage.CreateFromPixels(width, height, MLPixelFormat.Bgra32, pixels);
    }
}
