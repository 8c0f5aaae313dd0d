using System.Diagnostics;
using Hcr.MLNet.Data;
using Hcr.MLNet.DataViews;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.Onnx;
using Hcr.MLNet.Scoring;
using Hcr.MLNet.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet;

/// <summary>
/// A trained handwritten-character recognizer: a network (TorchSharp, or ONNX Runtime for one loaded with
/// <see cref="LoadOnnx"/>) with what it needs around it. Every prediction takes one road: image →
/// <see cref="CharacterImageLoader"/> → <see cref="InkNormalizer"/> → 28×28 tile → network, several
/// tiles to a network call wherever there are several. <see cref="Pipeline"/> and <see cref="ImagePipeline"/>
/// give the same answers as ML.NET chains, for applications that compose pipelines. Train one with
/// <c>HandwritingRecognizer.Create()</c> or <c>HandwritingRecognizer.Train(options)</c> (package Hcr.MLNet), load one with <see cref="Load"/>, or take the one shipped in the package with <see cref="LoadPretrained(Onnx.OnnxScoringOptions?)"/>.
/// Predictions and evaluations may run from several threads at once. Dispose it to free the network's native memory.
/// </summary>
public sealed partial class HandwritingRecognizer : IDisposable
{
    /// <summary>
    /// Tiles per network call in <see cref="PredictTiles"/> and <see cref="Evaluate(EmnistDataset)"/>: where the
    /// CPU scores fastest (see <c>TestTimeViews</c>), and few enough that progress is reported often.
    /// </summary>
    private const int TileBatchSize = 256;

    private readonly MLContext _ml;
    private readonly char[] _classes;
    private readonly ITransformer _labelMapping;
    private readonly ITransformer _normalization;
    private readonly IBatchScorer _scorer;
    private readonly InkNormalizer _normalizer;
    private readonly CharacterImageLoader _loader = new();
    private readonly Lazy<TransformerChain<ITransformer>> _pipeline;
    private readonly Lazy<TransformerChain<ITransformer>> _imagePipeline;
    private readonly string _scorerKind;
    // Every call that uses the network holds a lease for its whole length: Dispose waits for them, so that a call
    // begun before it finishes and the native memory is freed after (see UsageGate).
    private readonly UsageGate _gate = new();
    // The shipped model scored by ONNX Runtime (LoadPretrained): its TorchSharp weights stay in the assembly until
    // fine-tuning asks for them (HandwritingRecognizer.Pretrained.cs).
    private readonly bool _pretrained;
    private readonly Lock _pretrainedWeightsLock = new();
    private ITorchCnn? _pretrainedWeights;

    internal HandwritingRecognizer(MLContext ml, ITransformer labelMapping, ITransformer normalization, IBatchScorer scorer,
        InkNormalizationOptions preprocessing, bool pretrained = false)
    {
        _pretrained = pretrained;
        Preprocessing = preprocessing;
        _ml = ml;
        _labelMapping = labelMapping;
        _normalization = normalization;
        _scorer = scorer;
        _normalizer = new InkNormalizer(preprocessing);
        _scorerKind = scorer is OnnxCnnModel ? HcrMetrics.OnnxScorer : HcrMetrics.TorchSharpScorer;
        _classes = RecognizerChain.ClassesOf(scorer.ClassNames);
        // Fitted when first asked for: the recognizer's own predictions do not go through them.
        _pipeline = new(() => RecognizerChain.Pipeline(ml, normalization, scorer));
        _imagePipeline = new(() => RecognizerChain.ImagePipeline(ml, preprocessing, _pipeline.Value));
    }

    /// <summary>How photos and scans are turned into EMNIST-style tiles before the network sees them.</summary>
    public InkNormalizationOptions Preprocessing { get; }

    /// <summary>
    /// The whole chain for images: an <c>Image</c> column of <see cref="MLImage"/> (any size, colour or grey)
    /// through ink normalization and ImageAnalytics' ExtractPixels into <see cref="Pipeline"/>. It gives what
    /// <see cref="Predict(MLImage)"/> gives.
    /// </summary>
    public ITransformer ImagePipeline => _imagePipeline.Value;

    /// <summary>
    /// The fitted ML.NET chain: reads a <c>Pixels</c> column of 784 floats 0..255 (28×28, ink bright, as
    /// <see cref="EmnistDataset.ToDataView"/> or ImageAnalytics' <c>ExtractPixels</c> give it) and adds
    /// <c>Score</c>, <c>PredictedLabel</c> and <c>PredictedCharacter</c> (see <see cref="HcrColumns"/>). Use it
    /// inside application pipelines; it gives what <see cref="PredictTile"/> gives.
    /// </summary>
    public ITransformer Pipeline => _pipeline.Value;

    /// <summary>The characters it tells apart, by class index.</summary>
    public IReadOnlyList<char> Classes => _classes;

    /// <summary>
    /// The TorchSharp network that scores; null for a recognizer that scores on ONNX Runtime alone. The training assembly
    /// shows it as <c>Network</c> and its <c>History</c>.
    /// </summary>
    internal ITorchCnn? TorchNetwork => _scorer as ITorchCnn;

    /// <summary>
    /// The evaluation on the test data given at training, if any; saved with the recognizer, so a loaded one has it too
    /// (its figures and confusion counts; <see cref="RecognizerEvaluation.Metrics"/> is then null).
    /// </summary>
    public RecognizerEvaluation? TestEvaluation { get; internal set; }

    /// <summary>
    /// The EMNIST images it was trained on and those set aside to evaluate it (folder, split, part, hold-out and seed),
    /// saved with it: evaluate on <see cref="EmnistSelection.LoadTest"/>, and check other data with
    /// <see cref="EmnistSelection.SharesImagesWith"/> before calling an evaluation on it honest. Null when it was trained
    /// on data not loaded through an <see cref="EmnistSelection"/> (in-memory sets, image folders), loaded from ONNX, or
    /// saved before recognizers recorded it.
    /// </summary>
    public EmnistSelection? TrainingData { get; internal set; }

    /// <summary>
    /// Receives a summary of every <see cref="Evaluate(EmnistDataset)"/> (Information) and, at Debug level, one entry per
    /// prediction or batch with its time; null logs nothing. A recognizer trained with
    /// <c>HandwritingRecognizerBuilder.WithLogger</c> or <c>HandwritingCnnOptions.Logger</c> starts with
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
        using UsageGate.Lease lease = _gate.Enter(this);
        if (pixels.Length != CharacterTile.PixelCount)
            throw new ArgumentException($"A tile is {CharacterTile.PixelCount} pixels (28x28), not {pixels.Length}.", nameof(pixels));
        return PredictOne(pixels.ToArray(), "tile", Stopwatch.GetTimestamp());
    }

    /// <summary>Reads every image of <paramref name="data"/> in batches, in order.</summary>
    public IReadOnlyList<CharacterPrediction> PredictTiles(EmnistDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using UsageGate.Lease lease = _gate.Enter(this);
        ReadOnlySpan<byte> tiles = data.Pixels.Span;
        // Each batch is timed from the end of the one before.
        long started = Stopwatch.GetTimestamp();
        int recorded = 0;
        float[] probabilities = ScoreTiles(tiles, scored =>
        {
            RecordBatch(scored - recorded, started);
            recorded = scored;
            started = Stopwatch.GetTimestamp();
        });
        return Predictions(tiles, probabilities);
    }

    /// <summary>
    /// Accuracy, macro accuracy, log-loss, confusion matrix, per-class accuracy and the most confused
    /// pairs on labelled images, computed by ML.NET's multiclass evaluator.
    /// </summary>
    /// <exception cref="ArgumentException">The data has characters the recognizer does not know.</exception>
    public RecognizerEvaluation Evaluate(EmnistDataset data) => Evaluate(data, progress: null);

    /// <summary>
    /// <see cref="Evaluate(EmnistDataset)"/>, reporting to <paramref name="progress"/> after each batch of
    /// images the network has scored (the evaluator's own pass over the scores takes a moment more).
    /// </summary>
    /// <param name="data">Labelled images.</param>
    /// <param name="progress">Receives the images scored so far; null for no reports.</param>
    /// <exception cref="ArgumentException">The data has characters the recognizer does not know.</exception>
    public RecognizerEvaluation Evaluate(EmnistDataset data, IProgress<EvaluationProgress>? progress)
    {
        ArgumentNullException.ThrowIfNull(data);
        using UsageGate.Lease lease = _gate.Enter(this);
        int[] labels = LabelsOf(data);
        long started = Stopwatch.GetTimestamp();
        float[] probabilities = ScoreTiles(data.Pixels.Span, scored => progress?.Report(new EvaluationProgress(scored, data.Count)));
        // The network's batches, then ML.NET's evaluator over the same columns as Pipeline adds, so that its figures are ML.NET's own.
        IDataView labelled = _labelMapping.Transform(data.ToDataView(_ml));
        IDataView scored = ScoringMapper.Precomputed(labelled.Schema, _scorer.ClassNames, probabilities).Transform(labelled);
        var evaluation = new RecognizerEvaluation(_ml.MulticlassClassification.Evaluate(scored, HcrColumns.Label, topKPredictionCount: Math.Min(RecognizerEvaluation.TopK, _classes.Length)),
            _classes, TemperatureScaling.ExpectedCalibrationError(probabilities, labels, _classes.Length));
        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        HcrMetrics.RecordPrediction(_scorerKind, HcrMetrics.EvaluateMode, evaluation.Count, elapsed);
        RecognizerLog.Evaluated(Log, evaluation.Count, data.Source, evaluation.Accuracy, evaluation.MacroAccuracy, evaluation.LogLoss,
            elapsed.TotalSeconds, _scorerKind);
        return evaluation;
    }

    /// <summary>
    /// The temperature the network's logits are divided by before its probabilities reach a prediction or an evaluation:
    /// 1 (the network's own) until <see cref="CalibrateConfidence"/> fits one on held-out images; saved with the recognizer
    /// (<see cref="Save"/>, <see cref="ExportOnnx"/>). It changes no predicted character, only the probabilities.
    /// </summary>
    public double ConfidenceTemperature { get; private set; } = 1;

    /// <summary>
    /// Calibrates <see cref="CharacterPrediction.Confidence"/> on held-out images (temperature scaling): afterwards, of the
    /// predictions made with a confidence near 80%, about 80% are right on images like these, so that an application can
    /// ask a person when the recognizer is unsure. Use images the recognizer was not trained on (its validation or
    /// test part), a few thousand, from the same kind of source as the images it will read. Sets
    /// <see cref="ConfidenceTemperature"/> and returns what it fitted and measured.
    /// </summary>
    /// <exception cref="ArgumentException">The data has characters the recognizer does not know, or fewer than 100 images.</exception>
    public ConfidenceCalibration CalibrateConfidence(EmnistDataset heldOut)
    {
        ArgumentNullException.ThrowIfNull(heldOut);
        using UsageGate.Lease lease = _gate.Enter(this);
        int[] labels = LabelsOf(heldOut);
        if (labels.Length < MinCalibrationImages)
            throw new ArgumentException($"{heldOut.Source} has {labels.Length} images; calibrating needs at least {MinCalibrationImages} held-out images.", nameof(heldOut));
        float[] probabilities = ScoreTiles(heldOut.Pixels.Span);
        int classes = _classes.Length;
        double before = ConfidenceTemperature;
        double errorBefore = TemperatureScaling.ExpectedCalibrationError(probabilities, labels, classes);
        double lossBefore = TemperatureScaling.LogLoss(probabilities, labels, classes, 1);
        // The probabilities are already at the current temperature: the fit is relative to it.
        double relative = TemperatureScaling.Fit(probabilities, labels, classes);
        TemperatureScaling.Apply(probabilities, classes, relative);
        ConfidenceTemperature = Math.Clamp(before * relative, TemperatureScaling.MinTemperature, TemperatureScaling.MaxTemperature);
        _recalibrated = true;
        return new ConfidenceCalibration(ConfidenceTemperature, labels.Length, errorBefore, TemperatureScaling.ExpectedCalibrationError(probabilities, labels, classes),
            lossBefore, TemperatureScaling.LogLoss(probabilities, labels, classes, 1));
    }

    // Set by CalibrateConfidence: the pretrained recognizer on ONNX Runtime can then no longer save the files it ships with.
    private bool _recalibrated;

    /// <summary>The pretrained recognizer on ONNX Runtime writes the files it ships with, which hold the shipped temperature.</summary>
    private void ThrowIfRecalibrated()
    {
        if (_recalibrated)
        {
            throw new NotSupportedException("This pretrained recognizer was calibrated again, and on ONNX Runtime it can only write the files it ships with; "
                + "calibrate HandwritingRecognizer.LoadPretrained(ComputeDevice.Cpu) instead, which saves and exports its own network.");
        }
    }

    /// <summary>Fewer held-out images than this say too little about how often the recognizer is right to fit a temperature.</summary>
    internal const int MinCalibrationImages = 100;

    /// <summary>Each image's true class as an index into this recognizer's classes.</summary>
    private int[] LabelsOf(EmnistDataset data)
    {
        char[] unknown = data.Classes.Except(_classes).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"{data.Source} has characters this recognizer does not know: {string.Join(" ", unknown)}.", nameof(data));
        int[] index = data.Classes.Select(c => Array.IndexOf(_classes, c)).ToArray();
        var labels = new int[data.Count];
        for (int i = 0; i < labels.Length; i++)
            labels[i] = index[data.GetLabel(i)];
        return labels;
    }

    /// <summary>
    /// Class probabilities (count × classes) of the tiles laid end to end in <paramref name="tiles"/> (784
    /// bytes each, 0..255), <see cref="TileBatchSize"/> to a network call, each batch turned into the
    /// network's floats once; <paramref name="scored"/> hears the running count after each batch.
    /// </summary>
    private float[] ScoreTiles(ReadOnlySpan<byte> tiles, Action<int>? scored = null)
    {
        const int size = CharacterTile.PixelCount;
        int count = tiles.Length / size, classes = _classes.Length;
        var probabilities = new float[count * classes];
        var pixels = new float[Math.Min(count, TileBatchSize) * size];
        for (int first = 0; first < count; first += TileBatchSize)
        {
            int n = Math.Min(TileBatchSize, count - first);
            CharacterTile.ToFloats(tiles.Slice(first * size, n * size), pixels);
            _scorer.Score(pixels, n, probabilities.AsSpan(first * classes, n * classes));
            TemperatureScaling.Apply(probabilities.AsSpan(first * classes, n * classes), classes, ConfidenceTemperature);
            scored?.Invoke(first + n);
        }
        return probabilities;
    }

    /// <summary>One prediction per tile of <paramref name="tiles"/>, each with its row of <paramref name="probabilities"/>.</summary>
    private List<CharacterPrediction> Predictions(ReadOnlySpan<byte> tiles, float[] probabilities, int[]? inkGroups = null)
    {
        const int size = CharacterTile.PixelCount;
        int classes = _classes.Length;
        var predictions = new List<CharacterPrediction>(tiles.Length / size);
        for (int i = 0; i < tiles.Length / size; i++)
        {
            predictions.Add(new CharacterPrediction(_classes, probabilities.AsSpan(i * classes, classes).ToArray(), tiles.Slice(i * size, size).ToArray(),
                inkGroups?[i] ?? 1));
        }
        return predictions;
    }

    /// <summary>One tile through the network, recorded as a single prediction timed from <paramref name="started"/>.</summary>
    private CharacterPrediction PredictOne(byte[] tile, string source, long started, int inkGroups = 1)
    {
        var prediction = new CharacterPrediction(_classes, ScoreTiles(tile), tile, inkGroups);
        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        HcrMetrics.RecordPrediction(_scorerKind, HcrMetrics.SingleMode, 1, elapsed);
        RecognizerLog.Predicted(Log, source, prediction.Character, prediction.Confidence, elapsed.TotalMilliseconds, _scorerKind);
        return prediction;
    }

    /// <summary>Records one batch of predictions: a metric always, a Debug entry when that level is on.</summary>
    private void RecordBatch(int images, long started)
    {
        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        HcrMetrics.RecordPrediction(_scorerKind, HcrMetrics.BatchMode, images, elapsed);
        RecognizerLog.BatchPredicted(Log, images, elapsed.TotalMilliseconds, _scorerKind);
    }

    /// <summary>
    /// Frees the network's native memory, after waiting for predictions and evaluations running on other threads to
    /// finish; calls made after it throw <see cref="ObjectDisposedException"/>. Do not call it from within a call on this
    /// recognizer (a progress callback of <see cref="Evaluate(EmnistDataset, IProgress{EvaluationProgress})"/>): it would wait for itself.
    /// </summary>
    public void Dispose()
    {
        if (!_gate.Close())
            return;
        _scorer.Dispose();
        lock (_pretrainedWeightsLock)
            _pretrainedWeights?.Dispose();
    }
}
