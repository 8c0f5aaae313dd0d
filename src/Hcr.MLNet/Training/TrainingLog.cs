using Microsoft.Extensions.Logging;
using DeviceType = TorchSharp.DeviceType;

namespace Hcr.MLNet.Training;

/// <summary>
/// What a training run tells an operator, as source-generated log methods (each checks
/// <see cref="ILogger.IsEnabled"/> before formatting anything). Nothing here runs per batch or per image.
/// </summary>
internal static partial class TrainingLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Training {Architecture} on {TrainImages} images of {Classes} classes, validating on {ValidationImages}: {Epochs} epochs, " +
                  "batch {BatchSize}, {Optimizer} lr {LearningRate} ({Schedule}), weight decay {WeightDecay}, label smoothing {LabelSmoothing}, " +
                  "augmentation {Augmentation}, sampling {Sampling}, on {Device}")]
    public static partial void Started(ILogger logger, string architecture, int trainImages, int classes, int validationImages, int epochs,
        int batchSize, OptimizerKind optimizer, double learningRate, LearningRateSchedule schedule, double weightDecay,
        double labelSmoothing, AugmentationLevel augmentation, ClassSampling sampling, DeviceType device);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "TorchSharp runtime: {Runtime}")]
    public static partial void Runtime(ILogger logger, Native.TorchRuntimeStatus runtime);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Resuming from checkpoint {CheckpointPath} after epoch {Epoch}")]
    public static partial void Resumed(ILogger logger, string checkpointPath, int epoch);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information,
        Message = "Epoch {Epoch}/{Epochs}: train loss {TrainLoss:F4}, accuracy {TrainAccuracy:P2}; validation loss {ValidationLoss:F4}, " +
                  "accuracy {ValidationAccuracy:P2}, macro accuracy {ValidationMacroAccuracy:P2}; lr {LearningRate:G3}, " +
                  "{ImagesPerSecond:F0} images/s, {DurationSeconds:F1} s")]
    public static partial void EpochValidated(ILogger logger, int epoch, int epochs, double trainLoss, double trainAccuracy,
        double validationLoss, double validationAccuracy, double validationMacroAccuracy, double learningRate, double imagesPerSecond,
        double durationSeconds);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information,
        Message = "Epoch {Epoch}/{Epochs}: train loss {TrainLoss:F4}, accuracy {TrainAccuracy:P2}; lr {LearningRate:G3}, " +
                  "{ImagesPerSecond:F0} images/s, {DurationSeconds:F1} s")]
    public static partial void EpochCompleted(ILogger logger, int epoch, int epochs, double trainLoss, double trainAccuracy,
        double learningRate, double imagesPerSecond, double durationSeconds);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "Checkpoint written to {CheckpointPath} after epoch {Epoch}")]
    public static partial void CheckpointWritten(ILogger logger, string checkpointPath, int epoch);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information,
        Message = "Early stopping after epoch {Epoch}: {Metric} has not improved for {Patience} epochs (best: epoch {BestEpoch})")]
    public static partial void EarlyStopped(ILogger logger, int epoch, Training.EarlyStoppingMetric metric, int patience, int? bestEpoch);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Restored the weights of epoch {BestEpoch}")]
    public static partial void BestWeightsRestored(ILogger logger, int? bestEpoch);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information,
        Message = "Training finished: {EpochsRun} epochs run in {DurationSeconds:F1} s, {EpochsDone} of {Epochs} done; returning the weights of epoch {ReturnedEpoch}")]
    public static partial void Finished(ILogger logger, int epochsRun, double durationSeconds, int epochsDone, int epochs, int returnedEpoch);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Training cancelled after {EpochsDone} finished epochs")]
    public static partial void Cancelled(ILogger logger, int epochsDone);
}
