using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Hcr.MLNet.DataViews;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.Scoring;
using Microsoft.ML.Data;

namespace Hcr.MLNet;

public sealed partial class HandwritingRecognizer
{
    /// <summary>
    /// Images per network call in <see cref="PredictBatch"/>: each batch is decoded and normalised on
    /// several threads first, and its decoded images are held in memory meanwhile.
    /// </summary>
    private const int ImageBatchSize = 64;

    /// <summary>
    /// Reads the character in an image file (a photo or scan of one handwritten character: any size,
    /// colour or grey, dark ink on light paper or the reverse). The image is decoded at a reduced size
    /// when large, then normalised the way EMNIST's tiles were made (see <see cref="Preprocessing"/>).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UnusableImageException">The file is empty, not an image, too small, or shows no ink; the message names it.</exception>
    public CharacterPrediction Predict(string imagePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagePath);
        long started = Stopwatch.GetTimestamp();
        using UsageGate.Lease lease = _gate.Enter(this);
        NormalizedCharacter tile = Tile(() => _loader.Load(imagePath), imagePath);
        return PredictOne(tile.Pixels.ToArray(), imagePath, started, tile.InkGroups);
    }

    /// <summary>Reads the character in an encoded image (PNG, JPEG, …) from a stream.</summary>
    public CharacterPrediction Predict(Stream image, string sourceName = "stream")
    {
        ArgumentNullException.ThrowIfNull(image);
        long started = Stopwatch.GetTimestamp();
        using UsageGate.Lease lease = _gate.Enter(this);
        NormalizedCharacter tile = Tile(() => _loader.Load(image, sourceName), sourceName);
        return PredictOne(tile.Pixels.ToArray(), sourceName, started, tile.InkGroups);
    }

    /// <summary>Reads the character in an encoded image (PNG, JPEG, …) given as bytes.</summary>
    public CharacterPrediction Predict(byte[] encodedImage, string sourceName = "byte array")
    {
        ArgumentNullException.ThrowIfNull(encodedImage);
        long started = Stopwatch.GetTimestamp();
        using UsageGate.Lease lease = _gate.Enter(this);
        NormalizedCharacter tile = Tile(() => _loader.Load(encodedImage, sourceName), sourceName);
        return PredictOne(tile.Pixels.ToArray(), sourceName, started, tile.InkGroups);
    }

    /// <summary>Reads the character in an image already in memory (it is not modified or disposed).</summary>
    public CharacterPrediction Predict(MLImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        long started = Stopwatch.GetTimestamp();
        using UsageGate.Lease lease = _gate.Enter(this);
        string source = image.Tag ?? "image";
        NormalizedCharacter tile = _normalizer.Normalize(image, source);
        return PredictOne(tile.Pixels.ToArray(), source, started, tile.InkGroups);
    }

    /// <summary>
    /// Reads many image files, in batches (each decoded and normalised on several threads, then scored in
    /// one network call); results are in the order of the paths.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="UnusableImageException">A file cannot be used; the message names it.</exception>
    public IReadOnlyList<CharacterPrediction> PredictBatch(IEnumerable<string> imagePaths)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        using UsageGate.Lease lease = _gate.Enter(this);
        const int size = CharacterTile.PixelCount;
        var results = new List<CharacterPrediction>();
        foreach (string[] chunk in imagePaths.Chunk(ImageBatchSize))
        {
            long started = Stopwatch.GetTimestamp();
            var tiles = new byte[chunk.Length * size];
            var errors = new Exception?[chunk.Length];
            var groups = new int[chunk.Length];
            Parallel.For(0, chunk.Length, i =>
            {
                try
                {
                    NormalizedCharacter tile = Tile(() => _loader.Load(chunk[i]), chunk[i]);
                    tile.Pixels.CopyTo(tiles.AsSpan(i * size, size));
                    groups[i] = tile.InkGroups;
                }
                catch (Exception e)
                {
                    // Kept, to be rethrown as it is below, whatever it is.
                    errors[i] = e;
                }
            });
            // The failure of the first path that fails, as reading the files one by one would report it.
            if (Array.Find(errors, e => e is not null) is Exception error)
                ExceptionDispatchInfo.Capture(error).Throw();
            float[] probabilities = ScoreTiles(tiles);
            RecordBatch(chunk.Length, started);
            results.AddRange(Predictions(tiles, probabilities, groups));
        }
        return results;
    }

    /// <summary>The normalised tile of the image <paramref name="load"/> decodes, which is disposed after. Callers hold a lease.</summary>
    private NormalizedCharacter Tile(Func<MLImage> load, string source)
    {
        using MLImage image = load();
        return _normalizer.Normalize(image, source);
    }
}
