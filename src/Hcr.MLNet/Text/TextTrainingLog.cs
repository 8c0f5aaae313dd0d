using Microsoft.Extensions.Logging;
using DeviceType = TorchSharp.DeviceType;

namespace Hcr.MLNet.Text;

/// <summary>
/// What a text reader's training run logs of its own: its start and its epochs (CTC loss, error rates instead of
/// accuracies). Resuming, checkpoints, cancellation and the end are the character trainer's entries
/// (<see cref="Training.TrainingLog"/>), so that both runs read alike; event ids 11 and up follow them.
/// </summary>
internal static partial class TextTrainingLog
{
    [LoggerMessage(EventId = 11, Level = LogLevel.Information,
        Message = "Training a text reader ({NetworkSize} network, {SequenceModel}) on {TrainImages} images, validating on {ValidationImages}, " +
                  "{Classes} classes: {Epochs} epochs, batch {BatchSize}, AdamW lr {LearningRate} (one-cycle), weight decay {WeightDecay}, on {Device}")]
    public static partial void Started(ILogger logger, TextNetworkSize networkSize, TextSequenceModel sequenceModel, int trainImages, int validationImages, int classes,
        int epochs, int batchSize, double learningRate, double weightDecay, DeviceType device);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information,
        Message = "Epoch {Epoch}/{Epochs}: train loss {TrainLoss:F4}; validation character error rate {CharacterErrorRate:P2}, word error rate " +
                  "{WordErrorRate:P2}, exact {TextAccuracy:P2}; lr {LearningRate:G3}, {ImagesPerSecond:F0} images/s, {DurationSeconds:F1} s")]
    public static partial void EpochValidated(ILogger logger, int epoch, int epochs, double trainLoss, double characterErrorRate,
        double wordErrorRate, double textAccuracy, double learningRate, double imagesPerSecond, double durationSeconds);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information,
        Message = "Epoch {Epoch}/{Epochs}: train loss {TrainLoss:F4}; lr {LearningRate:G3}, {ImagesPerSecond:F0} images/s, {DurationSeconds:F1} s")]
    public static partial void EpochCompleted(ILogger logger, int epoch, int epochs, double trainLoss, double learningRate, double imagesPerSecond,
        double durationSeconds);
}
