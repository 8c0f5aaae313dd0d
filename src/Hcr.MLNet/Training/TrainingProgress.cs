namespace Hcr.MLNet.Training;

/// <summary>A progress report during training: sent several times per epoch and once after each epoch.</summary>
/// <param name="Epoch">1-based current epoch.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="BatchesPerEpoch">Batches per epoch.</param>
/// <param name="ImagesPerSecond">Training throughput in this epoch so far.</param>
/// <param name="TrainLoss">Mean training loss in this epoch so far.</param>
/// <param name="TrainAccuracy">Training accuracy in this epoch so far.</param>
/// <param name="Elapsed">Time since training started (this run).</param>
/// <param name="EstimatedRemaining">Estimated time to the end of the last epoch.</param>
/// <param name="CompletedEpoch">The metrics of the epoch that just finished, on the report sent after it; otherwise null.</param>
public sealed record TrainingProgress(
    int Epoch,
    int Epochs,
    int Batch,
    int BatchesPerEpoch,
    double ImagesPerSecond,
    double TrainLoss,
    double TrainAccuracy,
    TimeSpan Elapsed,
    TimeSpan EstimatedRemaining,
    EpochMetrics? CompletedEpoch);
