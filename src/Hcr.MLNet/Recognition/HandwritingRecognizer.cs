using System.Diagnostics;
using Hcr.MLNet.Data;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.Telemetry;
using Hcr.MLNet.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet;

/// <summary>
/// A trained handwritten-character recognizer: the fitted ML.NET chain (pixel normalization → CNN →
/// key to character) with what it needs around it. Train one with <see cref="Create"/> or
/// <see cref="Train(RecognizerTrainingOptions)"/>, or load one with <see cref="Load"/>. Predictions and
/// evaluations may run from several threads at once. Dispose it to free the network's native memory.
/// </summary>
public sealed partial class HandwritingRecognizer : IDisposable
{
    private readonly MLContext _ml;
    private readonly char[] _classes;
    private readonly ITransformer _labelMapping;
    private readonly ITransformer _normalization;
    private readonly ICharacterScorer _scorer;
    private readonly ITransformer _keyToCharacter;
    private readonly ThreadLocal<PredictionEngine<RecognizerChain.PixelsRow, RecognizerChain.ScoredRow>> _engines;
    private readonly ITransformer _imageFront;
    private readonly TransformerChain<ITransformer> _imageChain;
    private readonly ThreadLocal<PredictionEngine<RecognizerChain.ImageRow, RecognizerChain.ScoredRow>> _imageEngines;
    private readonly CharacterImageLoader _loader = new();
    private readonly string _scorerKind;
    private bool _disposed;

    private HandwritingRecognizer(MLContext ml, ITransformer labelMapping, ITransformer normalization, ICharacterScorer scorer,
        InkNormalizationOptions preprocessing)
    {
        Preprocessing = preprocessing;
        _ml = ml;
        _labelMapping = labelMapping;
        _normalization = normalization;
        _scorer = scorer;
        _scorerKind = scorer is OnnxCharacterScorer ? HcrMetrics.OnnxScorer : HcrMetrics.TorchSharpScorer;
        _classes = RecognizerChain.ClassesOf(scorer.ClassNames);
        _keyToCharacter = RecognizerChain.FitKeyToCharacter(ml, normalization, scorer.Transformer);
        Pipeline = new TransformerChain<ITransformer>(_normalization, scorer.Transformer, _keyToCharacter);
        // PredictionEngine is not thread-safe; one per thread keeps Predict safe to call concurrently.
        _engines = new ThreadLocal<PredictionEngine<RecognizerChain.PixelsRow, RecognizerChain.ScoredRow>>(
            () => _ml.Model.CreatePredictionEngine<RecognizerChain.PixelsRow, RecognizerChain.ScoredRow>(Pipeline), trackAllValues: true);
        _imageFront = RecognizerChain.FitImageFront(ml, preprocessing);
        _imageChain = new TransformerChain<ITransformer>(_imageFront, Pipeline);
        _imageEngines = new ThreadLocal<PredictionEngine<RecognizerChain.ImageRow, RecognizerChain.ScoredRow>>(
            () => _ml.Model.CreatePredictionEngine<RecognizerChain.ImageRow, RecognizerChain.ScoredRow>(_imageChain), trackAllValues: true);
    }

    /// <summary>How photos and scans are turned into EMNIST-style tiles before the network sees them.</summary>
    public InkNormalizationOptions Preprocessing { get; }

    /// <summary>
    /// The whole chain for images: an <c>Image</c> column of <see cref="MLImage"/> (any size) through
    /// ConvertToGrayscale, ink normalization and ExtractPixels into <see cref="Pipeline"/>.
    /// </summary>
    public ITransformer ImagePipeline => _imageChain;

    /// <summary>
    /// The fitted ML.NET chain: reads a <c>Pixels</c> column of 784 floats 0..255 (28×28, ink bright, as
    /// <see cref="EmnistDataset.ToDataView"/> or ImageAnalytics' <c>ExtractPixels</c> give it) and adds
    /// <c>Score</c>, <c>PredictedLabel</c> and <c>PredictedCharacter</c>. Use it inside application pipelines.
    /// </summary>
    public ITransformer Pipeline { get; }

    /// <summary>The characters it tells apart, by class index.</summary>
    public IReadOnlyList<char> Classes => _classes;

    /// <summary>
    /// The TorchSharp network (architecture, per-epoch history, …); null for a recognizer loaded from
    /// ONNX with <see cref="LoadOnnx"/>, which runs on ONNX Runtime alone.
    /// </summary>
    public HandwritingCnnTransformer? Network => (_scorer as TorchCharacterScorer)?.Network;

    /// <summary>Per-epoch training history; empty for a recognizer loaded from ONNX.</summary>
    public IReadOnlyList<EpochMetrics> History => Network?.History ?? [];

    /// <summary>The evaluation on the test data given at training, if any.</summary>
    public RecognizerEvaluation? TestEvaluation { get; private set; }

    /// <summary>
    /// Receives a summary of every <see cref="Evaluate"/> (Information) and, at Debug level, one entry per
    /// prediction or batch with its time; null logs nothing. A recognizer trained with
    /// <see cref="HandwritingRecognizerBuilder.WithLogger"/> or <see cref="HandwritingCnnOptions.Logger"/> starts with
    /// that logger; a loaded one starts with none. It may be set at any time, also while other threads predict.
    /// Metrics are recorded whether or not a logger is set (see <see cref="HcrTelemetry"/>).
    /// </summary>
    public ILogger? Logger { get; set; }

    private ILogger Log => Logger ?? NullLogger.Instance;

    /// <summary>
    /// Reads one EMNIST-style tile: 784 bytes, 28×28 row-major, upright, 0 = background, 255 = ink
    /// (as <see cref="EmnistDataset.GetImage"/> returns them).
    /// </summary>
    public CharacterPrediction PredictTile(ReadOnlySpan<byte> pixels)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (pixels.Length != EmnistDataset.PixelsPerImage)
            throw new ArgumentException($"A tile is {EmnistDataset.PixelsPerImage} pixels (28x28), not {pixels.Length}.", nameof(pixels));
        long started = Stopwatch.GetTimestamp();
        var input = new RecognizerChain.PixelsRow { Pixels = new float[pixels.Length] };
        for (int i = 0; i < pixels.Length; i++)
            input.Pixels[i] = pixels[i];
        RecognizerChain.ScoredRow scored = _engines.Value!.Predict(input);
        var prediction = new CharacterPrediction(_classes, scored.Score, pixels.ToArray());
        Measured(prediction, "tile", started);
        return prediction;
    }

    /// <summary>Records one single-image prediction: a metric always, a Debug entry when that level is on.</summary>
    private void Measured(CharacterPrediction prediction, string source, long started)
    {
        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        HcrMetrics.RecordPrediction(_scorerKind, HcrMetrics.SingleMode, 1, elapsed);
        RecognizerLog.Predicted(Log, source, prediction.Character, prediction.Confidence, elapsed.TotalMilliseconds, _scorerKind);
    }

    /// <summary>Reads every image of <paramref name="data"/> in batches, in order.</summary>
    public IReadOnlyList<CharacterPrediction> PredictTiles(EmnistDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ScoreInBatches(data.ToDataView(_ml), Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// Batch scoring: the chain's normalization step (ML.NET) on a view with a 0..255 <c>Pixels</c>
    /// column, read once by one cursor, the network fed a batch at a time. Each batch is timed from the
    /// end of the one before; the first from <paramref name="started"/>, so that a caller's own work for
    /// it (decoding images) counts too.
    /// </summary>
    private List<CharacterPrediction> ScoreInBatches(IDataView pixels, long started)
    {
        const int batch = 256;
        const int size = EmnistDataset.PixelsPerImage;
        IDataView normalized = _normalization.Transform(pixels);
        DataViewSchema.Column column = normalized.Schema[RecognizerChain.Pixels];
        var results = new List<CharacterPrediction>();
        var buffer = new float[batch * size];
        var probabilities = new float[batch * _classes.Length];
        VBuffer<float> row = default;
        using DataViewRowCursor cursor = normalized.GetRowCursor([column]);
        ValueGetter<VBuffer<float>> getter = cursor.GetGetter<VBuffer<float>>(column);
        bool more = true;
        while (more)
        {
            int n = 0;
            while (n < batch && (more = cursor.MoveNext()))
            {
                getter(ref row);
                row.CopyTo(buffer, n * size);
                n++;
            }
            _scorer.Score(buffer, n, probabilities);
            for (int i = 0; i < n; i++)
            {
                var tile = new byte[size];
                for (int p = 0; p < size; p++)
                    tile[p] = (byte)Math.Clamp(MathF.Round(buffer[i * size + p] * 255f), 0, 255);
                results.Add(new CharacterPrediction(_classes, probabilities.AsSpan(i * _classes.Length, _classes.Length).ToArray(), tile));
            }
            if (n > 0)
            {
                TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
                HcrMetrics.RecordPrediction(_scorerKind, HcrMetrics.BatchMode, n, elapsed);
                RecognizerLog.BatchPredicted(Log, n, elapsed.TotalMilliseconds, _scorerKind);
            }
            started = Stopwatch.GetTimestamp();
        }
        return results;
    }

    /// <summary>
    /// Accuracy, macro accuracy, log-loss, confusion matrix, per-class accuracy and the most confused
    /// pairs on labelled images, computed by ML.NET's multiclass evaluator.
    /// </summary>
    /// <exception cref="ArgumentException">The data has characters the recognizer does not know.</exception>
    public RecognizerEvaluation Evaluate(EmnistDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ObjectDisposedException.ThrowIf(_disposed, this);
        char[] unknown = data.Classes.Except(_classes).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"{data.Source} has characters this recognizer does not know: {string.Join(" ", unknown)}.", nameof(data));
        long started = Stopwatch.GetTimestamp();
        IDataView labelled = _labelMapping.Transform(data.ToDataView(_ml));
        var metrics = _ml.MulticlassClassification.Evaluate(Pipeline.Transform(labelled), RecognizerChain.Label);
        var evaluation = new RecognizerEvaluation(metrics, _classes);
        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        HcrMetrics.RecordPrediction(_scorerKind, HcrMetrics.EvaluateMode, evaluation.Count, elapsed);
        RecognizerLog.Evaluated(Log, evaluation.Count, data.Source, evaluation.Accuracy, evaluation.MacroAccuracy, evaluation.LogLoss,
            elapsed.TotalSeconds, _scorerKind);
        return evaluation;
    }

    /// <summary>Frees the network's native memory.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        foreach (var engine in _engines.Values)
            engine.Dispose();
        _engines.Dispose();
        foreach (var engine in _imageEngines.Values)
            engine.Dispose();
        _imageEngines.Dispose();
        _scorer.Dispose();
    }
}
