namespace Hcr.MLNet.Training;

/// <summary>What one finished epoch measured.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean training loss over the epoch (with label smoothing and augmentation, as trained).</param>
/// <param name="TrainAccuracy">Accuracy on the (augmented) training batches during the epoch.</param>
/// <param name="ValidationLoss">Cross-entropy on the validation images; null without validation.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation images; null without validation.</param>
/// <param name="ValidationMacroAccuracy">Mean of per-class validation accuracy; null without validation.</param>
/// <param name="LearningRate">The learning rate at the epoch's last step.</param>
/// <param name="Duration">Wall time of the epoch, validation included.</param>
/// <param name="ImagesPerSecond">Training images per second (validation excluded).</param>
/// <param name="PeakWorkingSetBytes">The process's peak working set at the end of the epoch.</param>
public sealed record EpochMetrics(
    int Epoch,
    double TrainLoss,
    double TrainAccuracy,
    double? ValidationLoss,
    double? ValidationAccuracy,
    double? ValidationMacroAccuracy,
    double LearningRate,
    TimeSpan Duration,
    double ImagesPerSecond,
    long PeakWorkingSetBytes);
