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
    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(0.5);

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
        long totalSteps = (long)batchesPerEpoch * options.Epochs;

        var state = new RunState();
        TrainingCheckpoint? checkpoint = options.CheckpointDirectory is null ? null
            : new TrainingCheckpoint(options.CheckpointDirectory,
                TrainingCheckpoint.Fingerprint(options, classCount, train, validation), options.Architecture, classCount);
        if (checkpoint?.TryRestore(network, optimizer, state, average) == true)
        {
            log?.Info(MessageSensitivity.None, $"Resuming from {checkpoint.FilePath} after epoch {state.History.Count}.");
            TrainingLog.Resumed(logger, checkpoint.FilePath, state.History.Count);
        }
        string deviceName = device.type.ToString().ToLowerInvariant();

        var clock = Stopwatch.StartNew();
        int firstEpoch = state.History.Count + 1;
        double? lossReference = null;
        for (int epoch = firstEpoch; epoch <= options.Epochs && !state.Stopped; epoch++)
        {
            ThrowIfCancelled(state);
            // Seeded per epoch so that a resumed run draws the same augmentations and dropout masks.
            torch.manual_seed(unchecked(options.Seed * 1_000_003L + epoch));
            var epochClock = Stopwatch.StartNew();
            network.train();
            fineTuning?.KeepFrozenStatistics(network);
            int[] order = sampler.Order(epoch);
            double lossSum = 0, learningRate = 0;
            long correct = 0, seen = 0;
            var lastReport = TimeSpan.Zero;
            for (int b = 0; b < batchesPerEpoch; b++)
            {
                ThrowIfCancelled(state);
                int start = b * options.BatchSize, length = Math.Min(options.BatchSize, order.Length - start);
                if (length < 2)
                    continue; // batch norm cannot train on a single image
                using (var scope = torch.NewDisposeScope())
                {
                    learningRate = LearningRatePlan.At(options.LearningRateSchedule, options.LearningRate, (long)(epoch - 1) * batchesPerEpoch + b, totalSteps);
                    foreach (var group in optimizer.ParamGroups)
                        group.LearningRate = learningRate;

                    using Tensor index = torch.tensor(order.AsSpan(start, length).ToArray().Select(i => (long)i).ToArray(), device: device);
                    Tensor images = augmenter.Apply(train.Images.index_select(0, index));
                    Tensor labels = train.Labels.index_select(0, index);
                    Tensor logits = network.call(images);
                    Tensor loss = nn.functional.cross_entropy(logPriors is null ? logits : logits + logPriors, labels, label_smoothing: options.LabelSmoothing);
                    optimizer.zero_grad();
                    loss.backward();
                    optimizer.step();
                    average?.Update();
                    // Checked where the loss is read anyway (one device sync per batch); the run ends, so the step just taken is never kept.
                    float batchLoss = loss.item<float>();
                    lossReference = TrainingDivergedException.CheckLoss(batchLoss, lossReference, classCount, epoch, b + 1, batchesPerEpoch, learningRate);
                    lossSum += batchLoss * length;
                    correct += logits.argmax(1).eq(labels).sum().item<long>();
                    seen += length;
                }
                if (epochClock.Elapsed - lastReport >= ReportInterval || b == batchesPerEpoch - 1)
                {
                    lastReport = epochClock.Elapsed;
                    Report(epoch, b + 1, batchesPerEpoch, seen, lossSum, correct, epochClock.Elapsed, clock.Elapsed, state, null);
                }
            }
            double trainSeconds = epochClock.Elapsed.TotalSeconds;
            // Before the epoch is validated, kept as best or checkpointed: the checkpoint on disk stays the last good epoch's.
            using (Tensor probe = train.Images.narrow(0, 0, Math.Min(HealthProbeImages, train.Count)))
            {
                NetworkHealth.Check(network, () => network.call(probe), epoch, batchesPerEpoch, learningRate);
                if (average is not null)
                    NetworkHealth.Check(average.Network, () => average.Network.call(probe), epoch, batchesPerEpoch, learningRate);
            }

            (double Loss, double Accuracy, double Macro)? validated = validation is null ? null : ValidationPass.Run(evaluated, validation, views);
            var metrics = new EpochMetrics(epoch, lossSum / Math.Max(1, seen), (double)correct / Math.Max(1, seen),
                validated?.Loss, validated?.Accuracy, validated?.Macro, learningRate, epochClock.Elapsed,
                seen / Math.Max(trainSeconds, 1e-9), PeakWorkingSet());
            state.History.Add(metrics);
            log?.Info(MessageSensitivity.None, Describe(metrics));
            LogEpoch(metrics);
            HcrMetrics.RecordEpoch(options.Architecture.Name, deviceName, metrics.ImagesPerSecond, metrics.Duration, metrics.LearningRate,
                metrics.TrainLoss, metrics.TrainAccuracy, metrics.ValidationLoss, metrics.ValidationAccuracy, metrics.ValidationMacroAccuracy);

            if (options.EarlyStoppingPatience is int patience && validated is not null)
                state.Observe(metrics, options.EarlyStoppingMetric, patience, options.RestoreBestWeights ? evaluated : null);
            if (checkpoint is not null)
            {
                checkpoint.Save(network, optimizer, state, average);
                TrainingLog.CheckpointWritten(logger, checkpoint.FilePath, epoch);
            }
            Report(epoch, batchesPerEpoch, batchesPerEpoch, seen, lossSum, correct, epochClock.Elapsed, clock.Elapsed, state, metrics);
        }

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
        state.DisposeBest();
        if (average is not null)
            network.Dispose(); // the average is what the run returns
        evaluated.eval();
        return new TrainingResult(evaluated, state.History, state.BestEpoch);
    }

    private void ThrowIfCancelled(RunState state)
    {
        if (!options.CancellationToken.IsCancellationRequested)
            return;
        TrainingLog.Cancelled(logger, state.History.Count);
        options.CancellationToken.ThrowIfCancellationRequested();
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

    private void Report(int epoch, int batch, int batches, long seen, double lossSum, long correct, TimeSpan epochElapsed, TimeSpan runElapsed, RunState state, EpochMetrics? completed)
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
