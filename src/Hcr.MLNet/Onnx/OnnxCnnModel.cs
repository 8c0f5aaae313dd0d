using System.Collections.Frozen;
using Hcr.MLNet.IO;
using Hcr.MLNet.Scoring;
using Hcr.MLNet.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Onnx;

namespace Hcr.MLNet.Onnx;

/// <summary>
/// A handwriting CNN exported with
/// <see cref="HandwritingCnnTransformer.ExportOnnx(string, IReadOnlyDictionary{string, string}?)"/>,
/// scored by ONNX Runtime, with no TorchSharp and no libtorch: an application that only predicts can
/// ship without them. As an ML.NET transformer it runs the model through ML.NET's OnnxTransformer
/// (<c>mlContext.Transforms.ApplyOnnxModel</c>) and adds the same columns as
/// <see cref="HandwritingCnnTransformer"/>: <c>Score</c> (class probabilities, class names as slot
/// names) and <c>PredictedLabel</c> (a key with the class names as key values), so ML.NET's
/// <c>MulticlassClassification.Evaluate</c>, <c>MapKeyToValue</c> and <c>PredictionEngine</c> work
/// on its output. <see cref="Score(ReadOnlySpan{float}, int, Span{float})"/> scores raw batches
/// directly on an ONNX Runtime session. Thread-safe for scoring; dispose it when done.
/// </summary>
public sealed class OnnxCnnModel : ITransformer, IDisposable
{
    /// <summary>Images per ONNX Runtime call in <see cref="Score(ReadOnlySpan{float}, int, Span{float})"/>: bounds the activations' memory.</summary>
    private const int MaxBatch = 256;

    private static readonly string[] InputNames = [OnnxFormat.InputName];
    private static readonly string[] OutputNames = [OnnxFormat.ProbabilitiesName];

    private readonly MLContext _ml;
    private readonly string[] _classNames;
    private readonly InferenceSession _session;
    private readonly OnnxTransformer _onnx;
    private bool _disposed;

    private OnnxCnnModel(MLContext ml, string path, OnnxModelDescription description, string pixelsColumnName, InferenceSession session, OnnxTransformer onnx)
    {
        _ml = ml;
        ModelPath = path;
        _classNames = description.ClassNames;
        Metadata = description.Metadata.ToFrozenDictionary(StringComparer.Ordinal);
        Opset = description.Opset;
        PixelsColumnName = pixelsColumnName;
        _session = session;
        _onnx = onnx;
    }

    /// <summary>The file the model was loaded from.</summary>
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

    /// <summary>The input column <see cref="Transform"/> reads: 784 floats in 0..1 (by default the column the exported transformer read).</summary>
    public string PixelsColumnName { get; }

    /// <summary>Always true: <c>PredictionEngine</c> scores row by row.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>
    /// Loads and checks an exported model: an ONNX file written by <c>ExportOnnx</c>, unchanged since
    /// (its checksum matches), whose input is <c>pixels</c> float <c>[batch, 1, 28, 28]</c> and whose
    /// <c>probabilities</c> output has one value per class. Never loads TorchSharp or libtorch.
    /// </summary>
    /// <param name="path">The .onnx file.</param>
    /// <param name="mlContext">The ML.NET context for the ONNX transform; a new one if null.</param>
    /// <param name="pixelsColumnName">The input column to read; by default the one stored in the model (<c>Pixels</c>).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ModelFormatException">The file is not ONNX, is truncated or corrupt, lacks Hcr.MLNet's metadata, or has another input or output shape.</exception>
    public static OnnxCnnModel Load(string path, MLContext? mlContext = null, string? pixelsColumnName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"ONNX model file not found: {path}", path);
        byte[] bytes = File.ReadAllBytes(path);
        OnnxModelDescription description = OnnxFormat.Read(bytes, path);
        string pixels = pixelsColumnName
            ?? (description.Metadata.TryGetValue(OnnxMetadataKeys.PixelsColumn, out string? stored) && stored.Length > 0 ? stored : "Pixels");
        MLContext ml = mlContext ?? new MLContext();

        InferenceSession? session = null;
        try
        {
            // ONNX Runtime's own log goes to the console; errors reach the caller as exceptions instead.
            using (var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL })
                session = new InferenceSession(bytes, options);
            OnnxTransformer onnx;
            using (var stream = new MemoryStream(bytes, writable: false))
            {
                onnx = ml.Transforms.ApplyOnnxModel(OutputNames, InputNames, stream)
                    .Fit(new SchemaOnlyDataView(OnnxInputSchema()));
            }
            return new OnnxCnnModel(ml, Path.GetFullPath(path), description, pixels, session, onnx);
        }
        catch (Exception e) when (e is OnnxRuntimeException or InvalidOperationException or ArgumentException or FormatException)
        {
            session?.Dispose();
            throw new ModelFormatException(path, $"ONNX Runtime cannot load the model ({e.Message}).", e);
        }
        catch
        {
            session?.Dispose();
            throw;
        }
    }

    /// <summary>Class probabilities of one 28×28 image (784 floats in 0..1, row-major).</summary>
    /// <exception cref="ArgumentException">The image is not 784 pixels.</exception>
    /// <exception cref="InvalidDataException">A pixel is not a number in 0..1.</exception>
    public float[] Score(ReadOnlySpan<float> pixels)
    {
        if (pixels.Length != OnnxFormat.PixelCount)
            throw new ArgumentException($"An image is {OnnxFormat.PixelCount} pixels (28x28), not {pixels.Length}.", nameof(pixels));
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
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (pixels.Length < (long)count * OnnxFormat.PixelCount)
            throw new ArgumentException($"{count} images need {(long)count * OnnxFormat.PixelCount} pixels; the buffer has {pixels.Length}.", nameof(pixels));
        if (probabilities.Length < (long)count * ClassCount)
            throw new ArgumentException($"{count} images need {(long)count * ClassCount} probabilities; the buffer has {probabilities.Length}.", nameof(probabilities));
        for (int first = 0; first < count; first += MaxBatch)
        {
            int n = Math.Min(MaxBatch, count - first);
            ReadOnlySpan<float> images = pixels.Slice(first * OnnxFormat.PixelCount, n * OnnxFormat.PixelCount);
            for (int i = 0; i < n; i++)
                LabeledImages.CheckPixels(images.Slice(i * OnnxFormat.PixelCount, OnnxFormat.PixelCount), PixelsColumnName, "input", first + i);
            Run(images, n, probabilities.Slice(first * ClassCount, n * ClassCount));
        }
    }

    private unsafe void Run(ReadOnlySpan<float> pixels, int count, Span<float> probabilities)
    {
        fixed (float* input = pixels)
        fixed (float* output = probabilities)
        {
            using OrtValue inputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float,
                [count, 1, OnnxFormat.ImageSize, OnnxFormat.ImageSize], (IntPtr)input, (long)pixels.Length * sizeof(float));
            using OrtValue outputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float,
                [count, ClassCount], (IntPtr)output, (long)probabilities.Length * sizeof(float));
            using var runOptions = new RunOptions();
            _session.Run(runOptions, InputNames, [inputValue], OutputNames, [outputValue]);
        }
    }

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        LabeledImages.RequirePixels(inputSchema, PixelsColumnName, "input");
        return ScoringSchema.Build(inputSchema, _classNames);
    }

    /// <summary>
    /// Adds <c>Score</c> and <c>PredictedLabel</c>, computed lazily by ML.NET's OnnxTransformer on ONNX
    /// Runtime as a cursor reads them. Input columns keep their names and positions.
    /// </summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ObjectDisposedException.ThrowIf(_disposed, this);
        DataViewSchema output = GetOutputSchema(input.Schema);
        IDataView scored = _onnx.Transform(WithOnnxInput(input));
        return new OnnxScoringDataView(scored, output, OnnxColumnMap.Build(input.Schema, scored.Schema, CopiesPixels, ClassCount));
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        DataViewSchema output = GetOutputSchema(inputSchema);
        var empty = new SchemaOnlyDataView(inputSchema);
        ITransformer chain = CopiesPixels ? new TransformerChain<ITransformer>(CopyToOnnxInput(empty), _onnx) : _onnx;
        IRowToRowMapper inner = chain.GetRowToRowMapper(inputSchema);
        return new OnnxScoringRowMapper(inputSchema, output, inner, OnnxColumnMap.Build(inputSchema, inner.OutputSchema, CopiesPixels, ClassCount));
    }

    /// <summary>Whether the pixels are copied to a column named like the ONNX input (ML.NET matches ONNX inputs by column name).</summary>
    private bool CopiesPixels => PixelsColumnName != OnnxFormat.InputName;

    private IDataView WithOnnxInput(IDataView input) => CopiesPixels ? CopyToOnnxInput(input).Transform(input) : input;

    private ColumnCopyingTransformer CopyToOnnxInput(IDataView input) =>
        _ml.Transforms.CopyColumns(OnnxFormat.InputName, PixelsColumnName).Fit(input);

    private static DataViewSchema OnnxInputSchema()
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(OnnxFormat.InputName, new VectorDataViewType(NumberDataViewType.Single, OnnxFormat.PixelCount));
        return builder.ToSchema();
    }

    /// <summary>Not supported: ML.NET's model zip only loads its own transformer types. The .onnx file is the saved model.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "OnnxCnnModel cannot be saved with mlContext.Model.Save; the .onnx file it was loaded from is the model (load it again with OnnxCnnModel.Load).");

    /// <summary>Releases the ONNX Runtime sessions.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _onnx.Dispose();
        _session.Dispose();
    }
}
