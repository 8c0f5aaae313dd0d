using System.Diagnostics;
using Hcr.MLNet.Native;
using Hcr.MLNet.Scoring;
using Hcr.MLNet.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Training;

/// <summary>The network a training run produced, with its per-epoch history.</summary>
internal sealed record TrainingResult(nn.Module<Tensor, Tensor> Network, IReadOnlyList<EpochMetrics> History, int? BestEpoch);

/// <summary>
/// The epoch loop, free of ML.NET: batches drawn by <see cref="EpochSampler"/>, augmented on the
/// device, one optimizer step each with the scheduled learning rate (and, when asked, a weight-average
/// update); then validation (scored as the fitted transformer will score, test-time views included),
/// progress, log entries, metrics (<see cref="HcrMetrics"/>), early stopping and a checkpoint after every epoch. With
/// weight averaging, the average is what is validated, kept as best and returned.
/// </summary>
internal sealed class TrainingLoop(HandwritingCnnOptions options, int classCount, Device device, IChannel? log, ILogger logger,
    IReadOnlyList<string>? classNames = null)
{
    // Fields, so that the epoch work nested below reaches them.
    private readonly HandwritingCnnOptions options = options;
    private readonly Device device = device;
    private readonly IChannel? log = log;
    private readonly ILogger logger = logger;

    /// <summary>Training images scored after every epoch to check that the network's outputs are still finite (<see cref="NetworkHealth"/>).</summary>
    private const int HealthProbeImages = 8;

    public TrainingResult Run(ImageTensors train, ImageTensors? validation)
    {
        torch.manual_seed(options.Seed);
        nn.Module<Tensor, Tensor> network = options.Architecture.CreateNetwork(classCount).to(device);
        FineTuningStart? fineTuning = options.FineTuning;
        fineTuning?.Apply(network, classNames ?? throw new InvalidOperationException("Fine-tuning needs the class names to match the base network's output rows."));
        // Frozen parameters are left out of the optimizer, so that weight decay cannot move them either.
        using TorchSharp.Modules.OptimizerHelper optimizer = OptimizerFactory.Create(options, network.parameters().Where(p => p.requires_grad));
        var sampler = new EpochSampler(train.LabelArray, classCount, options.Sampling, options.Seed);
        var augmenter = new BatchAugmenter(options.Augmentation);
        var views = new TestTimeViews(options.TestTimeRotations);
        using Tensor? logPriors = options.Sampling == ClassSampling.LogitAdjusted ? LogitAdjustment.LogPriors(train.LabelArray, classCount, device) : null;
        // The copy that becomes the average is created after the trained network, so that the trained
        // network's initial weights do not depend on whether averaging is on.
        WeightAverage? average = options.WeightAverageDecay > 0
            ? new WeightAverage(network, options.Architecture.CreateNetwork(classCount).to(device), options.WeightAverageDecay)
            : null;
        nn.Module<Tensor, Tensor> evaluated = average?.Network ?? network;
        int batchesPerEpoch = (int)Math.Ceiling((double)train.Count / options.BatchSize);

        using var state = new RunState<EpochMetrics>();
        TrainingCheckpoint? checkpoint = options.CheckpointDirectory is null ? null
            : new TrainingCheckpoint(options.CheckpointDirectory,
                TrainingCheckpoint.Fingerprint(options, classCount, train, validation), options.Architecture, classCount);
        if (checkpoint?.TryRestore(network, optimizer, state, average) == true)
        {
            log?.Info(MessageSensitivity.None, $"Resuming from {checkpoint.FilePath} after epoch {state.History.Count}.");
            TrainingLog.Resumed(logger, checkpoint.FilePath, state.History.Count);
        }

        var clock = Stopwatch.StartNew();
        int firstEpoch = state.History.Count + 1;
        var work = new Epochs(this, state, network, average, evaluated, train, validation, optimizer, checkpoint, fineTuning, sampler, augmenter, views, logPriors, clock);
        new EpochLoop(optimizer, options.LearningRateSchedule, options.LearningRate, options.Epochs, batchesPerEpoch, options.Seed, classCount, options.CancellationToken)
            .Run(work, state);

        if (state.Stopped)
        {
            log?.Info(MessageSensitivity.None, $"Early stopping after epoch {state.History.Count}: no improvement for {options.EarlyStoppingPatience} epochs.");
            TrainingLog.EarlyStopped(logger, state.History.Count, options.EarlyStoppingMetric, options.EarlyStoppingPatience ?? 0, state.BestEpoch);
        }
        int returnedEpoch = state.History.Count;
        if (state.BestWeights is not null && options.RestoreBestWeights)
        {
            evaluated.load_state_dict(state.BestWeights);
            log?.Info(MessageSensitivity.None, $"Restored the weights of epoch {state.BestEpoch}.");
            TrainingLog.BestWeightsRestored(logger, state.BestEpoch);
            returnedEpoch = state.BestEpoch ?? returnedEpoch;
        }
        TrainingLog.Finished(logger, state.History.Count - firstEpoch + 1, clock.Elapsed.TotalSeconds, state.History.Count, options.Epochs, returnedEpoch);
        if (average is not null)
            network.Dispose(); // the average is what the run returns
        evaluated.eval();
        return new TrainingResult(evaluated, state.History, state.BestEpoch);
    }

    /// <summary>The character network's part of <see cref="EpochLoop"/>: sampled, augmented batches and cross-entropy; validation with the test-time views.</summary>
    private sealed class Epochs(TrainingLoop run, RunState<EpochMetrics> state, nn.Module<Tensor, Tensor> network, WeightAverage? average, nn.Module<Tensor, Tensor> evaluated,
        ImageTensors train, ImageTensors? validation, TorchSharp.Modules.OptimizerHelper optimizer, TrainingCheckpoint? checkpoint,
        FineTuningStart? fineTuning, EpochSampler sampler, BatchAugmenter augmenter, TestTimeViews views, Tensor? logPriors, Stopwatch clock)
        : IEpochWork<EpochMetrics>
    {
        private readonly HandwritingCnnOptions options = run.options;
        private readonly string deviceName = run.device.type.ToString().ToLowerInvariant();
        private int[] order = [];
        private long correct;
        private EpochTotals totals;
        private Stopwatch epochClock = new();

        public void BeginEpoch(int epoch)
        {
            network.train();
            fineTuning?.KeepFrozenStatistics(network);
            order = sampler.Order(epoch);
            correct = 0;
        }

        public (Tensor Loss, int Images)? Forward(int batch)
        {
            int start = batch * options.BatchSize, length = Math.Min(options.BatchSize, order.Length - start);
            if (length < 2)
                return null; // batch norm cannot train on a single image
            using Tensor index = torch.tensor(order.AsSpan(start, length).ToArray().Select(i => (long)i).ToArray(), device: run.device);
            Tensor images = augmenter.Apply(train.Images.index_select(0, index));
            Tensor labels = train.Labels.index_select(0, index);
            Tensor logits = network.call(images);
            Tensor loss = nn.functional.cross_entropy(logPriors is null ? logits : logits + logPriors, labels, label_smoothing: options.LabelSmoothing);
            correct += logits.argmax(1).eq(labels).sum().item<long>();
            return (loss, length);
        }

        public void AfterStep() => average?.Update();

        public void ReportBatch(int epoch, int batch, int batches, EpochTotals totals, TimeSpan epochElapsed) =>
            run.Report(epoch, batch, batches, totals.Images, totals.LossSum, correct, epochElapsed, clock.Elapsed, state, null);

        public EpochMetrics EndEpoch(int epoch, int batches, EpochTotals totals, Stopwatch epochClock)
        {
            (this.totals, this.epochClock) = (totals, epochClock);
            double trainSeconds = epochClock.Elapsed.TotalSeconds;
            // Before the epoch is validated, kept as best or checkpointed: the checkpoint on disk stays the last good epoch's.
            using (Tensor probe = train.Images.narrow(0, 0, Math.Min(HealthProbeImages, train.Count)))
            {
                NetworkHealth.Check(network, () => network.call(probe), epoch, batches, totals.LearningRate);
                if (average is not null)
                    NetworkHealth.Check(average.Network, () => average.Network.call(probe), epoch, batches, totals.LearningRate);
            }
            (double Loss, double Accuracy, double Macro)? validated = validation is null ? null : ValidationPass.Run(evaluated, validation, views);
            return new EpochMetrics(epoch, totals.Loss, (double)correct / Math.Max(1, totals.Images),
                validated?.Loss, validated?.Accuracy, validated?.Macro, totals.LearningRate, epochClock.Elapsed,
                totals.Images / Math.Max(trainSeconds, 1e-9), PeakWorkingSet());
        }

        public void Finish(EpochMetrics metrics, RunState<EpochMetrics> runState)
        {
            run.log?.Info(MessageSensitivity.None, Describe(metrics));
            run.LogEpoch(metrics);
            HcrMetrics.RecordEpoch(options.Architecture.Name, deviceName, metrics.ImagesPerSecond, metrics.Duration, metrics.LearningRate,
                metrics.TrainLoss, metrics.TrainAccuracy, metrics.ValidationLoss, metrics.ValidationAccuracy, metrics.ValidationMacroAccuracy);
            if (options.EarlyStoppingPatience is int patience && metrics is { ValidationLoss: double loss, ValidationAccuracy: double accuracy })
            {
                // Lower is better for both: loss as is, accuracy negated.
                double score = options.EarlyStoppingMetric == EarlyStoppingMetric.ValidationLoss ? loss : -accuracy;
                runState.Observe(metrics.Epoch, score, options.RestoreBestWeights ? evaluated : null, patience);
            }
            if (checkpoint is not null)
            {
                checkpoint.Save(network, optimizer, runState, average);
                TrainingLog.CheckpointWritten(run.logger, checkpoint.FilePath, metrics.Epoch);
            }
            int batches = (int)Math.Ceiling((double)train.Count / options.BatchSize);
            run.Report(metrics.Epoch, batches, batches, totals.Images, totals.LossSum, correct, epochClock.Elapsed, clock.Elapsed, runState, metrics);
        }

        public void Cancelled(int epochs) => TrainingLog.Cancelled(run.logger, epochs);
    }

    private void LogEpoch(EpochMetrics m)
    {
        if (m.ValidationLoss is double validationLoss)
        {
            TrainingLog.EpochValidated(logger, m.Epoch, options.Epochs, m.TrainLoss, m.TrainAccuracy, validationLoss, m.ValidationAccuracy ?? double.NaN,
                m.ValidationMacroAccuracy ?? double.NaN, m.LearningRate, m.ImagesPerSecond, m.Duration.TotalSeconds);
        }
        else
        {
            TrainingLog.EpochCompleted(logger, m.Epoch, options.Epochs, m.TrainLoss, m.TrainAccuracy, m.LearningRate, m.ImagesPerSecond, m.Duration.TotalSeconds);
        }
    }

    private void Report(int epoch, int batch, int batches, long seen, double lossSum, long correct, TimeSpan epochElapsed, TimeSpan runElapsed, RunState<EpochMetrics> state, EpochMetrics? completed)
    {
        if (options.Progress is null)
            return;
        double rate = seen / Math.Max(epochElapsed.TotalSeconds, 1e-9);
        double epochSeconds = state.History.Count > 0
            ? state.History.Average(h => h.Duration.TotalSeconds)
            : epochElapsed.TotalSeconds * batches / Math.Max(1, batch);
        double remaining = Math.Max(0, epochSeconds * (options.Epochs - epoch) + (completed is null ? epochSeconds * (1 - (double)batch / batches) : 0));
        options.Progress.Report(new TrainingProgress(epoch, options.Epochs, batch, batches, rate,
            lossSum / Math.Max(1, seen), (double)correct / Math.Max(1, seen), runElapsed, TimeSpan.FromSeconds(remaining), completed));
    }

    private static string Describe(EpochMetrics m) =>
        $"Epoch {m.Epoch}: train loss {m.TrainLoss:F4}, train accuracy {m.TrainAccuracy:P2}" +
        (m.ValidationLoss is double vl ? $", validation loss {vl:F4}, accuracy {m.ValidationAccuracy:P2}, macro accuracy {m.ValidationMacroAccuracy:P2}" : "") +
        $", lr {m.LearningRate:G3}, {m.ImagesPerSecond:F0} images/s, {m.Duration.TotalSeconds:F1} s";

    private static long PeakWorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }
}
