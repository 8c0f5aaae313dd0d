using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Training;

/// <summary>What one epoch's batches added up to.</summary>
/// <param name="LossSum">The sum over batches of the batch's mean loss times its images.</param>
/// <param name="Images">The images trained on.</param>
/// <param name="LearningRate">The learning rate of the last batch.</param>
internal readonly record struct EpochTotals(double LossSum, long Images, double LearningRate)
{
    /// <summary>The mean loss per image.</summary>
    public double Loss => LossSum / Math.Max(1, Images);
}

/// <summary>
/// What a trainer does inside <see cref="EpochLoop"/>: the character recognizer's and the text reader's model, data,
/// loss, validation and reporting. Called on the loop's thread, in the order of the members below.
/// </summary>
internal interface IEpochWork<TMetrics>
{
    /// <summary>Prepares epoch <paramref name="epoch"/> (network modes, batch order: its randomness must follow from the seed and the epoch alone, so that a resumed run draws what the uninterrupted one drew).</summary>
    void BeginEpoch(int epoch);

    /// <summary>The forward pass of batch <paramref name="batch"/> (from 0): its mean loss and its number of images, or null to skip it. Runs inside a dispose scope.</summary>
    (Tensor Loss, int Images)? Forward(int batch);

    /// <summary>Between the backward pass and the optimizer step (gradient clipping).</summary>
    void BeforeStep() { }

    /// <summary>After the optimizer step (the weight average).</summary>
    void AfterStep() { }

    /// <summary>Progress within epoch <paramref name="epoch"/>, after <paramref name="batch"/> of <paramref name="batches"/> batches.</summary>
    void ReportBatch(int epoch, int batch, int batches, EpochTotals totals, TimeSpan epochElapsed);

    /// <summary>After the epoch's last batch: checks the network's health, validates, and returns the epoch's metrics (<paramref name="epochClock"/> still runs).</summary>
    TMetrics EndEpoch(int epoch, int batches, EpochTotals totals, Stopwatch epochClock);

    /// <summary>After <paramref name="metrics"/> joined the history: the best epoch and early stopping (<see cref="RunState{TMetrics}.Observe"/>), logs, the checkpoint, then the epoch's report.</summary>
    void Finish(TMetrics metrics, RunState<TMetrics> state);

    /// <summary>The run is being cancelled after <paramref name="epochs"/> finished epochs (before the exception).</summary>
    void Cancelled(int epochs) { }
}

/// <summary>
/// The epoch loop of both trainers: from the epoch after the last one in the run's history (a resumed run) to the last
/// epoch or until early stopping; each epoch seeded from the run's seed and the epoch; each batch in its own dispose
/// scope with the scheduled learning rate, one backward pass and one <see cref="OptimizerStep"/>; the loss read once
/// per batch and checked (<see cref="TrainingDivergedException"/>); progress at most every <see cref="ReportInterval"/>
/// and after the last batch; cancellation checked before every batch. What is trained, on what and how it is
/// validated is the <see cref="IEpochWork{TMetrics}"/>'s.
/// </summary>
internal sealed class EpochLoop(TorchSharp.Modules.OptimizerHelper optimizer, LearningRateSchedule schedule, double peakLearningRate,
    int epochs, int batchesPerEpoch, long seed, int classCount, CancellationToken cancellation)
{
    public static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(0.5);

    /// <summary>The seed of epoch <paramref name="epoch"/>'s draws (TorchSharp's generator; a trainer's own generators may use it too).</summary>
    public static long EpochSeed(long seed, int epoch) => unchecked(seed * 1_000_003L + epoch);

    public void Run<TMetrics>(IEpochWork<TMetrics> work, RunState<TMetrics> state)
    {
        long totalSteps = (long)batchesPerEpoch * epochs;
        double? lossReference = null;
        for (int epoch = state.History.Count + 1; epoch <= epochs && !state.Stopped; epoch++)
        {
            ThrowIfCancelled(work, state);
            torch.manual_seed(EpochSeed(seed, epoch));
            var epochClock = Stopwatch.StartNew();
            work.BeginEpoch(epoch);
            double lossSum = 0, learningRate = 0;
            long images = 0;
            var lastReport = TimeSpan.Zero;
            for (int b = 0; b < batchesPerEpoch; b++)
            {
                ThrowIfCancelled(work, state);
                using (var scope = torch.NewDisposeScope())
                {
                    if (work.Forward(b) is not (Tensor loss, int count))
                        continue;
                    learningRate = LearningRatePlan.At(schedule, peakLearningRate, (long)(epoch - 1) * batchesPerEpoch + b, totalSteps);
                    foreach (var group in optimizer.ParamGroups)
                        group.LearningRate = learningRate;
                    optimizer.zero_grad();
                    loss.backward();
                    work.BeforeStep();
                    OptimizerStep.Take(optimizer);
                    work.AfterStep();
                    // Checked where the loss is read anyway (one device sync per batch); the run ends, so the step just taken is never kept.
                    float value = loss.item<float>();
                    lossReference = TrainingDivergedException.CheckLoss(value, lossReference, classCount, epoch, b + 1, batchesPerEpoch, learningRate);
                    lossSum += value * count;
                    images += count;
                }
                if (epochClock.Elapsed - lastReport >= ReportInterval || b == batchesPerEpoch - 1)
                {
                    lastReport = epochClock.Elapsed;
                    work.ReportBatch(epoch, b + 1, batchesPerEpoch, new EpochTotals(lossSum, images, learningRate), epochClock.Elapsed);
                }
            }
            TMetrics metrics = work.EndEpoch(epoch, batchesPerEpoch, new EpochTotals(lossSum, images, learningRate), epochClock);
            state.History.Add(metrics);
            work.Finish(metrics, state);
        }
    }

    private void ThrowIfCancelled<TMetrics>(IEpochWork<TMetrics> work, RunState<TMetrics> state)
    {
        if (!cancellation.IsCancellationRequested)
            return;
        work.Cancelled(state.History.Count);
        cancellation.ThrowIfCancellationRequested();
    }
}
