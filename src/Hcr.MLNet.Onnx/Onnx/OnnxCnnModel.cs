using System.Collections.Frozen;
using Hcr.MLNet.DataViews;
using Hcr.MLNet.IO;
using Hcr.MLNet.Scoring;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Onnx;

/// <summary>
/// A handwriting CNN exported with <c>HandwritingCnnTransformer.ExportOnnx</c>, scored by ONNX Runtime,
/// with no TorchSharp and no libtorch: an application that only predicts can ship without them. It opens
/// one ONNX Runtime session, made from <see cref="OnnxScoringOptions"/> (execution provider, threads,
/// graph optimisation), and scores everything through it: raw batches
/// (<see cref="Score(ReadOnlySpan{float}, int, Span{float})"/>) and, as an ML.NET transformer, rows; it adds
/// the same columns as <c>HandwritingCnnTransformer</c>: <c>Score</c> (class probabilities, class
/// names as slot names) and <c>PredictedLabel</c> (a key with the class names as key values), so ML.NET's
/// <c>MulticlassClassification.Evaluate</c>, <c>MapKeyToValue</c> and <c>PredictionEngine</c> work on its
/// output. Thread-safe for scoring; dispose it when done.
/// </summary>
public sealed class OnnxCnnModel : ColumnAppendingTransformer, IDisposable, IBatchScorer
{
    /// <summary>Images per ONNX Runtime call in <see cref="Score(ReadOnlySpan{float}, int, Span{float})"/>: bounds the activations' memory.</summary>
    private const int MaxBatch = 256;

    private readonly string[] _classNames;
    private readonly OnnxNetwork _network;

    private OnnxCnnModel(string path, OnnxModelDescription description, string pixelsColumnName, OnnxNetwork network, OnnxScoringOptions options)
    {
        ModelPath = path;
        _classNames = description.ClassNames;
        Metadata = description.Metadata.ToFrozenDictionary(StringComparer.Ordinal);
        Opset = description.Opset;
        PixelsColumnName = pixelsColumnName;
        _network = network;
        ScoringOptions = options;
    }

    /// <summary>The file the model was loaded from (its full path); for the pretrained model, which ships inside Hcr.MLNet.Onnx.dll, the name of that resource.</summary>
    public string ModelPath { get; }

    /// <summary>The classes, by class index (the characters, for EMNIST data).</summary>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <summary>Number of classes.</summary>
    public int ClassCount => _classNames.Length;

    /// <summary>The model's metadata (ONNX <c>metadata_props</c>): Hcr.MLNet's keys (<see cref="OnnxMetadataKeys"/>) and whatever the exporter's caller added.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The network design's name, from the metadata.</summary>
    public string Architecture => Metadata.TryGetValue(OnnxMetadataKeys.Architecture, out string? name) ? name : "";

    /// <summary>The ONNX operator set version the graph uses.</summary>
    public long Opset { get; }

    /// <summary>The input column <see cref="ColumnAppendingTransformer.Transform"/> reads: 784 floats in 0..1 (by default the column the exported transformer read).</summary>
    public string PixelsColumnName { get; }

    /// <summary>How the ONNX Runtime session was opened: the options given to <see cref="Load"/>, or those the ML.NET context chose (the CPU after a fallback).</summary>
    public OnnxScoringOptions ScoringOptions { get; }

    /// <summary>
    /// Loads and checks an exported model: an ONNX file written by <c>ExportOnnx</c>, unchanged since
    /// (its checksum matches), whose input is <c>pixels</c> float <c>[batch, 1, 28, 28]</c> and whose
    /// <c>probabilities</c> output has one value per class. Opens one ONNX Runtime session for all
    /// scoring, and writes no copy of the model anywhere. Never loads TorchSharp or libtorch.
    /// </summary>
    /// <param name="path">The .onnx file.</param>
    /// <param name="mlContext">
    /// Consulted only when <paramref name="options"/> is null, as ML.NET's <c>ApplyOnnxModel</c> does: its
    /// <c>GpuDeviceId</c> asks for CUDA on that device, and its <c>FallbackToCpu</c> then lets the model load on
    /// the CPU when CUDA cannot be used. May be null.
    /// </param>
    /// <param name="pixelsColumnName">The input column to read; by default the one stored in the model (<c>Pixels</c>).</param>
    /// <param name="options">Execution provider, threads and graph optimisation of the session; null for <see cref="OnnxScoringOptions.Default"/> (the CPU), unless <paramref name="mlContext"/> names a GPU.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ModelFormatException">The path is a directory, or the file is larger than any model, is not ONNX, is truncated or corrupt, lacks Hcr.MLNet's metadata, has another input or output shape, or holds a graph Hcr.MLNet's exporter would not write (see <see cref="OnnxScoringOptions.StrictValidation"/>).</exception>
    /// <exception cref="ExecutionProviderUnavailableException">The execution provider asked for is not in the ONNX Runtime this application ships (the message names the package to add), or ONNX Runtime cannot start it.</exception>
    public static OnnxCnnModel Load(string path, MLContext? mlContext = null, string? pixelsColumnName = null, OnnxScoringOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return LoadBytes(OnnxFormat.ReadFile(path), path, Path.GetFullPath(path), mlContext, pixelsColumnName, options);
    }

    /// <summary>
    /// <see cref="Load(string, MLContext?, string?, OnnxScoringOptions?)"/> from a model already in memory (the pretrained
    /// model embedded in this assembly), checked the same way; <paramref name="path"/> names it in errors, <paramref name="modelPath"/> in <see cref="ModelPath"/>.
    /// </summary>
    internal static OnnxCnnModel LoadBytes(byte[] bytes, string path, string modelPath, MLContext? mlContext = null, string? pixelsColumnName = null,
        OnnxScoringOptions? options = null)
    {
        OnnxModelDescription description = OnnxFormat.Read(bytes, path, strict: options?.StrictValidation ?? true);
        string pixels = pixelsColumnName
            ?? (description.Metadata.TryGetValue(OnnxMetadataKeys.PixelsColumn, out string? stored) && stored.Length > 0 ? stored : HcrColumns.Pixels);

        // ML.NET's own ONNX transform reads the GPU choice from the context; so does a load without options.
        OnnxScoringOptions scoring = options
            ?? (mlContext?.GpuDeviceId is int device ? new OnnxScoringOptions { ExecutionProvider = OnnxExecutionProvider.Cuda, DeviceId = device } : OnnxScoringOptions.Default);
        OnnxNetwork network;
        try
        {
            network = OnnxNetwork.Open(bytes, path, scoring);
        }
        catch (ExecutionProviderUnavailableException) when (options is null && mlContext is { FallbackToCpu: true })
        {
            scoring = OnnxScoringOptions.Default;
            network = OnnxNetwork.Open(bytes, path, scoring);
        }
        return new OnnxCnnModel(modelPath, description, pixels, network, scoring);
    }

    /// <summary>Class probabilities of one 28×28 image (784 floats in 0..1, row-major).</summary>
    /// <exception cref="ArgumentException">The image is not 784 pixels.</exception>
    /// <exception cref="InvalidDataException">A pixel is not a number in 0..1.</exception>
    public float[] Score(ReadOnlySpan<float> pixels)
    {
        if (pixels.Length != CharacterTile.PixelCount)
            throw new ArgumentException($"An image is {CharacterTile.PixelCount} pixels (28x28), not {pixels.Length}.", nameof(pixels));
        var probabilities = new float[ClassCount];
        Score(pixels, 1, probabilities);
        return probabilities;
    }

    /// <summary>
    /// Class probabilities of <paramref name="count"/> images (<paramref name="pixels"/>: count × 784
    /// floats in 0..1, row-major, one image after another) into <paramref name="probabilities"/>
    /// (count × <see cref="ClassCount"/>, one row per image). Runs on ONNX Runtime directly, in
    /// batches of up to 256 images, without copying the buffers.
    /// </summary>
    /// <exception cref="ArgumentException">A buffer is smaller than <paramref name="count"/> images need.</exception>
    /// <exception cref="InvalidDataException">A pixel is not a number in 0..1.</exception>
    public void Score(ReadOnlySpan<float> pixels, int count, Span<float> probabilities)
    {
        using UsageGate.Lease lease = _network.Enter(this);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (pixels.Length < (long)count * CharacterTile.PixelCount)
            throw new ArgumentException($"{count} images need {(long)count * CharacterTile.PixelCount} pixels; the buffer has {pixels.Length}.", nameof(pixels));
        if (probabilities.Length < (long)count * ClassCount)
            throw new ArgumentException($"{count} images need {(long)count * ClassCount} probabilities; the buffer has {probabilities.Length}.", nameof(probabilities));
        for (int first = 0; first < count; first += MaxBatch)
        {
            int n = Math.Min(MaxBatch, count - first);
            ReadOnlySpan<float> images = pixels.Slice(first * CharacterTile.PixelCount, n * CharacterTile.PixelCount);
            for (int i = 0; i < n; i++)
                CharacterTile.CheckPixels(images.Slice(i * CharacterTile.PixelCount, CharacterTile.PixelCount), PixelsColumnName, "input", first + i);
            Run(images, n, probabilities.Slice(first * ClassCount, n * ClassCount));
        }
    }

    private void Run(ReadOnlySpan<float> pixels, int count, Span<float> probabilities) =>
        _network.Run(pixels, [count, 1, CharacterTile.Side, CharacterTile.Side], probabilities, [count, ClassCount]);

    /// <summary>
    /// Adds <c>Score</c> and <c>PredictedLabel</c>, computed lazily on the model's ONNX Runtime session, one row at a time,
    /// as a cursor reads them (<see cref="ColumnAppendingTransformer.Transform"/>). Input columns keep their names and positions.
    /// </summary>
    private protected override AppendingMapper CreateMapper(DataViewSchema inputSchema) => ScoringMapper.Create(this, inputSchema, PixelsColumnName);

    private protected override void ThrowIfUnusable() => ObjectDisposedException.ThrowIf(_network.IsDisposed, this);

    /// <summary>
    /// The rows ML.NET reads and the recognizer's batches: like the batch API, without its pixel-range check, as
    /// the TorchSharp transformer scores (a pixel outside 0..1 is the pipeline's business there, not an error mid-cursor).
    /// </summary>
    void IBatchScorer.Score(ReadOnlySpan<float> pixels, int count, Span<float> probabilities)
    {
        using UsageGate.Lease lease = _network.Enter(this);
        if (pixels.Length < (long)count * CharacterTile.PixelCount || probabilities.Length < (long)count * ClassCount)
            throw new ArgumentException("The buffers are smaller than the image count needs.");
        for (int first = 0; first < count; first += MaxBatch)
        {
            int n = Math.Min(MaxBatch, count - first);
            Run(pixels.Slice(first * CharacterTile.PixelCount, n * CharacterTile.PixelCount), n, probabilities.Slice(first * ClassCount, n * ClassCount));
        }
    }

    /// <summary>The .onnx file is the saved model.</summary>
    private protected override string WhyNotSavable =>
        "OnnxCnnModel cannot be saved with mlContext.Model.Save; the .onnx file it was loaded from is the model (load it again with OnnxCnnModel.Load).";

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose() => _network.Dispose(); // waits for the runs on other threads to finish
}
