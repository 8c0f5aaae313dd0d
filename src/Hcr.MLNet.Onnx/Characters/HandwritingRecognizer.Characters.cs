using System.Diagnostics;
using Hcr.MLNet.DataViews;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.Scoring;
using Microsoft.ML.Data;

namespace Hcr.MLNet;

public sealed partial class HandwritingRecognizer
{
    /// <summary>
    /// Pages are decoded with their long side at most this many pixels: twice what the character finder
    /// analyses, so that boxes stay precise in the caller's pixels.
    /// </summary>
    private const int PageWorkingSize = 2 * CharacterSegmentation.AnalysisSize;

    private readonly CharacterImageLoader _pageLoader = new(new CharacterImageLoaderOptions { WorkingSize = PageWorkingSize });

    /// <summary>
    /// Reads the separated characters in an image file (block capitals, digits in boxes, a filled-in
    /// grid): each connected group of ink is one character (the dot of an i and a broken stroke stay
    /// with theirs), ruled lines across the page are ignored, and the characters come in reading order,
    /// rows from the top, each from left to right, with their boxes in the file's pixels. Characters
    /// that touch each other are read as one; for joined handwriting use a line reader instead.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UnusableImageException">The file is empty, not an image, too small, or shows no ink; the message names it.</exception>
    public IReadOnlyList<CharacterReading> ReadCharacters(string imagePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagePath);
        using UsageGate.Lease lease = _gate.Enter(this);
        using MLImage image = _pageLoader.Load(imagePath);
        return ReadCharacters(image, imagePath, SourceSize(imagePath));
    }

    /// <summary>Reads the separated characters in an encoded image (PNG, JPEG, …) from a stream; see <see cref="ReadCharacters(string)"/>.</summary>
    public IReadOnlyList<CharacterReading> ReadCharacters(Stream image, string sourceName = "stream")
    {
        ArgumentNullException.ThrowIfNull(image);
        using UsageGate.Lease lease = _gate.Enter(this);
        using var copy = new MemoryStream();
        image.CopyTo(copy);
        return ReadCharacters(copy.ToArray(), sourceName);
    }

    /// <summary>Reads the separated characters in an encoded image (PNG, JPEG, …) given as bytes; see <see cref="ReadCharacters(string)"/>.</summary>
    public IReadOnlyList<CharacterReading> ReadCharacters(byte[] encodedImage, string sourceName = "byte array")
    {
        ArgumentNullException.ThrowIfNull(encodedImage);
        using UsageGate.Lease lease = _gate.Enter(this);
        using MLImage image = _pageLoader.Load(encodedImage, sourceName);
        return ReadCharacters(image, sourceName, SourceSize(encodedImage));
    }

    /// <summary>Reads the separated characters in an image already in memory (not modified or disposed); boxes are in its pixels.</summary>
    public IReadOnlyList<CharacterReading> ReadCharacters(MLImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        using UsageGate.Lease lease = _gate.Enter(this);
        return ReadCharacters(image, image.Tag ?? "image", null);
    }

    private List<CharacterReading> ReadCharacters(MLImage image, string source, (int Width, int Height)? sourceSize)
    {
        long started = Stopwatch.GetTimestamp();
        GreyImage page = GreyConversion.ToGrey(image);
        List<SegmentedCharacter> found = CharacterSegmentation.Find(page, Preprocessing, source);
        if (found.Count == 0)
            return [];
        const int size = CharacterTile.PixelCount;
        var tiles = new byte[found.Count * size];
        for (int i = 0; i < found.Count; i++)
            _normalizer.Normalize(found[i].Ink, $"{source}, character {i + 1}").Pixels.CopyTo(tiles.AsSpan(i * size, size));
        float[] probabilities = ScoreTiles(tiles);
        RecordBatch(found.Count, started);
        List<CharacterPrediction> predictions = Predictions(tiles, probabilities);
        // Boxes in the caller's pixels: the page may have been decoded at a reduced size.
        double sx = sourceSize is { } s ? (double)s.Width / page.Width : 1, sy = sourceSize is { } t ? (double)t.Height / page.Height : 1;
        return found.Select((c, i) => new CharacterReading(predictions[i], c.Row,
            new InkBox((int)Math.Floor(c.Box.Left * sx), (int)Math.Floor(c.Box.Top * sy),
                (int)Math.Ceiling(c.Box.Width * sx), (int)Math.Ceiling(c.Box.Height * sy)))).ToList();
    }

    /// <summary>The encoded image's own size, upright (EXIF orientation applied), or null when the header does not tell.</summary>
    private static (int Width, int Height)? SourceSize(string path)
    {
        using var stream = File.OpenRead(path);
        return ImageHeader.UprightSize(stream);
    }

    private static (int Width, int Height)? SourceSize(byte[] encoded)
    {
        using var stream = new MemoryStream(encoded, writable: false);
        return ImageHeader.UprightSize(stream);
    }
}
