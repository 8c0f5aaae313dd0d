namespace Hcr.MLNet.Text;

/// <summary>What one epoch of text-reader training did.</summary>
/// <param name="Epoch">1-based.</param>
/// <param name="TrainLoss">Mean CTC loss per character over the epoch's batches.</param>
/// <param name="Validation">Greedy reading of the validation images after the epoch; null without validation images.</param>
/// <param name="LearningRate">The learning rate of the epoch's last step.</param>
/// <param name="Duration">Training and validation time.</param>
/// <param name="ImagesPerSecond">Training images per second.</param>
public sealed record TextEpochMetrics(int Epoch, double TrainLoss, TextEvaluation? Validation, double LearningRate, TimeSpan Duration, double ImagesPerSecond);

/// <summary>A text-reader training run's progress, reported a few times a second and after every epoch.</summary>
/// <param name="Epoch">The epoch in progress, 1-based.</param>
/// <param name="Epochs">Epochs in the run.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="TrainLoss">Mean CTC loss of the epoch so far.</param>
/// <param name="Elapsed">Since the run started.</param>
/// <param name="CompletedEpoch">Set on the report that ends an epoch.</param>
public sealed record TextTrainingProgress(int Epoch, int Epochs, int Batch, int Batches, double TrainLoss, TimeSpan Elapsed, TextEpochMetrics? CompletedEpoch)
{
    /// <summary>
    /// The epochs this run did not train because it resumed after them from the checkpoint in
    /// <c>TextTrainingOptions.CheckpointDirectory</c>; 0 for a run that started afresh.
    /// </summary>
    public int ResumedEpochs { get; init; }
}
