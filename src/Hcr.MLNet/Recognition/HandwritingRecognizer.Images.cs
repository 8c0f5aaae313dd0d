using System.Diagnostics;
using Hcr.MLNet.Imaging;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet;

public sealed partial class HandwritingRecognizer
{
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
        return PredictLoaded(_loader.Load(imagePath), imagePath, started);
    }

    /// <summary>Reads the character in an encoded image (PNG, JPEG, …) from a stream.</summary>
    public CharacterPrediction Predict(Stream image, string sourceName = "stream")
    {
        ArgumentNullException.ThrowIfNull(image);
        long started = Stopwatch.GetTimestamp();
        return PredictLoaded(_loader.Load(image, sourceName), sourceName, started);
    }

    /// <summary>Reads the character in an encoded image (PNG, JPEG, …) given as bytes.</summary>
    public CharacterPrediction Predict(byte[] encodedImage, string sourceName = "byte array")
    {
        ArgumentNullException.ThrowIfNull(encodedImage);
        long started = Stopwatch.GetTimestamp();
        return PredictLoaded(_loader.Load(encodedImage, sourceName), sourceName, started);
    }

    /// <summary>Reads the character in an image already in memory (it is not modified or disposed).</summary>
    public CharacterPrediction Predict(MLImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        long started = Stopwatch.GetTimestamp();
        // The chain's ConvertToGrayscale disposes the images it reads; the caller keeps theirs.
        MLImage copy = MLImage.CreateFromPixels(image.Width, image.Height, image.PixelFormat, image.Pixels);
        return PredictLoaded(copy, image.Tag ?? "image", started);
    }

    /// <summary>Reads many image files, in batches through the ML.NET chain; results are in the order of the paths.</summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="UnusableImageException">A file cannot be used; the message names it.</exception>
    public IReadOnlyList<CharacterPrediction> PredictBatch(IEnumerable<string> imagePaths)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var results = new List<CharacterPrediction>();
        foreach (string[] chunk in imagePaths.Chunk(ImageBatchSize))
        {
            long started = Stopwatch.GetTimestamp();
            var rows = new RecognizerChain.ImageRow[chunk.Length];
            try
            {
                Parallel.For(0, chunk.Length, i =>
                {
                    MLImage image = _loader.Load(chunk[i]);
                    image.Tag = chunk[i];
                    rows[i] = new RecognizerChain.ImageRow { Image = image };
                });
                IDataView pixels = _imageFront.Transform(_ml.Data.LoadFromEnumerable(rows));
                results.AddRange(Unwrapped(() => ScoreInBatches(pixels, started)));
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                // A file that cannot be loaded: report it as the single-image path would.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
                throw;
            }
            finally
            {
                foreach (RecognizerChain.ImageRow? row in rows)
                    row?.Image?.Dispose();
            }
        }
        return results;
    }

    private CharacterPrediction PredictLoaded(MLImage image, string source, long started)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        image.Tag ??= source;
        try
        {
            RecognizerChain.ScoredRow row = Unwrapped(() => _imageEngines.Value!.Predict(new RecognizerChain.ImageRow { Image = image }));
            CharacterPrediction prediction = ToPrediction(row);
            Measured(prediction, source, started);
            return prediction;
        }
        finally
        {
            image.Dispose();
        }
    }

    private CharacterPrediction ToPrediction(RecognizerChain.ScoredRow row)
    {
        // The pixels column the network read, scaled to 0..1; shown back as 0..255.
        var tile = new byte[row.Pixels.Length];
        for (int i = 0; i < tile.Length; i++)
            tile[i] = (byte)Math.Clamp(MathF.Round(row.Pixels[i] * 255f), 0, 255);
        return new CharacterPrediction(_classes, row.Score, tile);
    }

    /// <summary>ML.NET wraps errors raised while a cursor computes a column (once per worker); callers get the original.</summary>
    private static T Unwrapped<T>(Func<T> run)
    {
        try
        {
            return run();
        }
        catch (InvalidOperationException e) when (Innermost(e) is UnusableImageException inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(inner).Throw();
            throw;
        }
    }

    private static Exception? Innermost(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is UnusableImageException)
                return current;
        }
        return null;
    }
}
