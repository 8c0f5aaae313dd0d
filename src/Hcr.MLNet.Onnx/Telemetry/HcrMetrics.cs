using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace Hcr.MLNet.Telemetry;

/// <summary>
/// The library's meter and every instrument on it (names follow OpenTelemetry's conventions: dotted
/// lower case, durations in seconds, units in UCUM with annotations in braces). Instruments cost next to
/// nothing while no listener has enabled them, so recording is unconditional.
/// </summary>
internal static class HcrMetrics
{
    public const string ArchitectureTag = "hcr.architecture";
    public const string DeviceTag = "hcr.device";
    public const string SubsetTag = "hcr.subset";
    public const string ScorerTag = "hcr.scorer";
    public const string ModeTag = "hcr.prediction.mode";

    public const string TorchSharpScorer = "torchsharp";
    public const string OnnxScorer = "onnx";
    public const string SingleMode = "single";
    public const string BatchMode = "batch";
    public const string EvaluateMode = "evaluate";

    private static readonly Meter Meter = new(HcrTelemetry.MeterName,
        typeof(HcrMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    public static readonly Histogram<double> TrainingThroughput = Meter.CreateHistogram<double>(
        "hcr.training.throughput", "{image}/s", "Training images per second in an epoch (validation excluded), recorded once per epoch.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [50, 100, 250, 500, 1000, 2500, 5000, 10_000, 25_000, 50_000, 100_000] });

    public static readonly Histogram<double> EpochDuration = Meter.CreateHistogram<double>(
        "hcr.training.epoch.duration", "s", "Wall time of a training epoch, validation included.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1200, 3600] });

    public static readonly Gauge<double> Loss = Meter.CreateGauge<double>(
        "hcr.training.loss", null, "Mean loss of the last finished epoch (cross-entropy for characters, CTC for text), on the training batches (hcr.subset=train) or the validation images (hcr.subset=validation).");

    public static readonly Gauge<double> CharacterErrorRate = Meter.CreateGauge<double>(
        "hcr.training.character_error_rate", "1", "A text reader's validation character error rate (0 and up) after the last finished epoch.");

    public static readonly Gauge<double> Accuracy = Meter.CreateGauge<double>(
        "hcr.training.accuracy", "1", "Accuracy (0 to 1) of the last finished epoch, on the training batches (hcr.subset=train) or the validation images (hcr.subset=validation).");

    public static readonly Gauge<double> MacroAccuracy = Meter.CreateGauge<double>(
        "hcr.training.macro_accuracy", "1", "Mean per-class validation accuracy (0 to 1) of the last finished epoch.");

    public static readonly Gauge<double> LearningRate = Meter.CreateGauge<double>(
        "hcr.training.learning_rate", null, "The learning rate at the last step of the last finished epoch.");

    public static readonly Counter<long> Predictions = Meter.CreateCounter<long>(
        "hcr.predictions", "{image}", "Images read by a recognizer's Predict, PredictTile, PredictTiles, PredictBatch and Evaluate.");

    public static readonly Histogram<double> PredictionDuration = Meter.CreateHistogram<double>(
        "hcr.prediction.duration", "s",
        "Time of one prediction (hcr.prediction.mode=single: a Predict or PredictTile call, decoding included), of one batch of up to 256 images " +
        "(hcr.prediction.mode=batch: PredictTiles, PredictBatch) or of one Evaluate call (hcr.prediction.mode=evaluate).",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    public static readonly Counter<long> TextReads = Meter.CreateCounter<long>(
        "hcr.text.reads", "{image}", "Images read by a text reader's Read and Evaluate.");

    public static readonly Histogram<double> TextReadDuration = Meter.CreateHistogram<double>(
        "hcr.text.read.duration", "s",
        "Time of one text reading (hcr.prediction.mode=single: a Read call, decoding of the image, line finding and CTC decoding included) " +
        "or of one Evaluate call (hcr.prediction.mode=evaluate).",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });

    /// <summary>
    /// Records one finished epoch. Plain figures rather than the training's own record type, so that this folder
    /// stays below Training (which records through it) instead of depending on it in turn.
    /// </summary>
    public static void RecordEpoch(string architecture, string device, double imagesPerSecond, TimeSpan duration, double learningRate,
        double trainLoss, double? trainAccuracy, double? validationLoss, double? validationAccuracy, double? validationMacroAccuracy,
        double? validationCharacterErrorRate = null)
    {
        var run = new TagList { { ArchitectureTag, architecture }, { DeviceTag, device } };
        TrainingThroughput.Record(imagesPerSecond, run);
        EpochDuration.Record(duration.TotalSeconds, run);
        LearningRate.Record(learningRate, run);
        Loss.Record(trainLoss, WithSubset(run, "train"));
        if (trainAccuracy is double train)
            Accuracy.Record(train, WithSubset(run, "train"));
        if (validationLoss is double loss)
            Loss.Record(loss, WithSubset(run, "validation"));
        if (validationAccuracy is double accuracy)
            Accuracy.Record(accuracy, WithSubset(run, "validation"));
        if (validationMacroAccuracy is double macro)
            MacroAccuracy.Record(macro, WithSubset(run, "validation"));
        if (validationCharacterErrorRate is double cer)
            CharacterErrorRate.Record(cer, WithSubset(run, "validation"));
    }

    /// <summary>Records characters read by a recognizer.</summary>
    public static void RecordPrediction(string scorer, string mode, int images, TimeSpan elapsed) =>
        Record(Predictions, PredictionDuration, scorer, mode, images, elapsed);

    /// <summary>Records images read by a text reader.</summary>
    public static void RecordTextRead(string scorer, string mode, int images, TimeSpan elapsed) =>
        Record(TextReads, TextReadDuration, scorer, mode, images, elapsed);

    private static void Record(Counter<long> count, Histogram<double> duration, string scorer, string mode, int images, TimeSpan elapsed)
    {
        if (images <= 0)
            return; // an empty batch (the end of a cursor) is no prediction
        var tags = new TagList { { ScorerTag, scorer }, { ModeTag, mode } };
        count.Add(images, tags);
        duration.Record(elapsed.TotalSeconds, tags);
    }

    private static TagList WithSubset(TagList run, string subset)
    {
        run.Add(SubsetTag, subset);
        return run;
    }
}
