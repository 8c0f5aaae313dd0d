using System.Diagnostics;
using Hcr.MLNet.Telemetry;
using Hcr.MLNet.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Text;

/// <summary>
/// The text network's epoch loop, apart from the network: batches of similar widths, augmented on the CPU, CTC loss
/// (TorchSharp's <c>ctc_loss</c>, blank 0, impossible alignments zeroed), AdamW with a one-cycle learning rate and
/// gradient clipping; after each epoch a greedy reading of the validation images, and at the end the weights of the
/// epoch with the lowest validation character error rate (or the last epoch's without validation). With a
/// <see cref="TextTrainingOptions.CheckpointDirectory"/>, a checkpoint after every epoch (<see cref="TextTrainingCheckpoint"/>),
/// from which a later run with the same settings and data resumes.
/// </summary>
internal sealed class TextTrainingLoop(TextTrainingOptions options, TextAlphabet alphabet, Device device, int syntheticWords = 0)
{
    // Fields, so that the epoch work nested below reaches them.
    private readonly TextTrainingOptions options = options;
    private readonly Device device = device;

    /// <summary>Gradients are clipped to this norm: CTC's gradients spike on long, badly aligned lines early on.</summary>
    private const double MaxGradientNorm = 5;

    /// <summary>Training lines read after every epoch to check that the network's outputs are still finite (<see cref="NetworkHealth"/>).</summary>
    private const int HealthProbeLines = 4;

    /// <summary>A trained network to continue from (adaptation), trained in place; null: a new network.</summary>
    public TextLineNetwork? Start { get; init; }

    /// <summary>Keeps the batch-norm layers' running statistics as they are (adaptation to a few images).</summary>
    public bool FreezeBatchNorm { get; init; }

    public (TextLineNetwork Network, IReadOnlyList<TextEpochMetrics> History) Run(IReadOnlyList<TextSample> train, IReadOnlyList<TextSample>? validation)
    {
        if (train.Count < 2)
            throw new ArgumentException($"Training needs at least 2 images, not {train.Count}.", nameof(train));
        torch.manual_seed(options.Seed);
        TextLineNetwork network = Start ?? new TextLineNetwork(options.SequenceModel, options.NetworkSize, alphabet.ClassCount);
        network.to(device);
        var parameters = network.parameters().ToArray();
        using var optimizer = optim.AdamW(parameters, options.LearningRate, weight_decay: options.WeightDecay);
        NormalizedLine[] lines = train.Select(s => s.Line).ToArray();
        int batches = TextBatch.Plan(lines, options.BatchSize, new Random(0)).Count;
        validation = validation is { Count: > 0 } ? validation : null;
        using var state = new RunState<TextEpochMetrics>();
        TextTrainingCheckpoint? checkpoint = options.CheckpointDirectory is null ? null
            : new TextTrainingCheckpoint(options.CheckpointDirectory,
                TextTrainingCheckpoint.Fingerprint(options, alphabet, syntheticWords, train, validation), options.SequenceModel, options.NetworkSize, alphabet.ClassCount);
        ILogger logger = options.Logger ?? NullLogger.Instance;
        try
        {
            TextTrainingLog.Started(logger, options.NetworkSize, options.SequenceModel, train.Count, validation?.Count ?? 0,
                alphabet.ClassCount, options.Epochs, options.BatchSize, options.LearningRate, options.WeightDecay, device.type);
            int resumed = checkpoint?.TryRestore(network, optimizer, state) == true ? state.History.Count : 0;
            if (resumed > 0)
                TrainingLog.Resumed(logger, checkpoint!.FilePath, resumed);
            var work = new Epochs(this, network, lines, train, validation, parameters, checkpoint, optimizer, resumed, logger);
            new EpochLoop(optimizer, LearningRateSchedule.OneCycle, options.LearningRate, options.Epochs, batches, options.Seed, alphabet.ClassCount,
                options.CancellationToken).Run(work, state);
            if (state.BestWeights is not null)
                network.load_state_dict(state.BestWeights);
            network.eval();
            TrainingLog.Finished(logger, state.History.Count - resumed, work.Elapsed.TotalSeconds, state.History.Count, options.Epochs,
                state.BestWeights is not null ? state.BestEpoch ?? state.History.Count : state.History.Count);
            return (network, state.History);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The line network's part of <see cref="EpochLoop"/>: batches of similar widths augmented on the CPU, CTC loss,
    /// clipped gradients; a greedy reading of the validation images after each epoch.
    /// </summary>
    private sealed class Epochs(TextTrainingLoop run, TextLineNetwork network, NormalizedLine[] lines, IReadOnlyList<TextSample> train,
        IReadOnlyList<TextSample>? validation, TorchSharp.Modules.Parameter[] parameters, TextTrainingCheckpoint? checkpoint,
        TorchSharp.Modules.OptimizerHelper optimizer, int resumed, ILogger logger) : IEpochWork<TextEpochMetrics>
    {
        private readonly TextTrainingOptions options = run.options;
        private readonly Device device = run.device;
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private readonly string architecture = "text-" + run.options.NetworkSize.ToString().ToLowerInvariant();

        /// <summary>Time since the epochs began.</summary>
        public TimeSpan Elapsed => clock.Elapsed;
        private List<int[]> plan = [];
        private Random random = new(0);

        public void BeginEpoch(int epoch)
        {
            network.train();
            if (run.FreezeBatchNorm)
            {
                foreach (var module in network.modules())
                {
                    if (module is TorchSharp.Modules.BatchNorm1d or TorchSharp.Modules.BatchNorm2d)
                        module.eval();
                }
            }
            // The batch order and the augmentation follow from the seed and the epoch alone, as TorchSharp's draws do.
            random = new Random(unchecked((int)EpochLoop.EpochSeed(options.Seed, epoch)));
            plan = TextBatch.Plan(lines, options.BatchSize, random);
        }

        public (Tensor Loss, int Images)? Forward(int batch)
        {
            int[] samples = plan[batch];
            (Tensor images, long[] positions) = TextTensors.Images(samples.Select(i => lines[i]).ToArray(), device, options.Augment ? random : null, options.MaxWidth);
            Tensor logProbabilities = nn.functional.log_softmax(network.call(images), 2).transpose(0, 1); // (T, N, C)
            long[] targets = samples.SelectMany(i => train[i].Labels).Select(l => (long)l).ToArray();
            long[] targetLengths = samples.Select(i => (long)train[i].Labels.Length).ToArray();
            // zero_infinity hides a network whose alignments all became impossible (loss 0): NetworkHealth catches that one.
            Tensor loss = nn.functional.ctc_loss(logProbabilities, tensor(targets, device: device), tensor(positions, device: device),
                tensor(targetLengths, device: device), TextAlphabet.Blank, zero_infinity: true, reduction: nn.Reduction.Mean);
            return (loss, samples.Length);
        }

        public void BeforeStep() => nn.utils.clip_grad_norm_(parameters, MaxGradientNorm);

        public void ReportBatch(int epoch, int batch, int batches, EpochTotals totals, TimeSpan epochElapsed)
        {
            if (batch < batches) // the last batch is reported with the epoch's metrics
                options.Progress?.Report(new TextTrainingProgress(epoch, options.Epochs, batch, batches, totals.Loss, clock.Elapsed, null) { ResumedEpochs = resumed });
        }

        public TextEpochMetrics EndEpoch(int epoch, int batches, EpochTotals totals, Stopwatch epochClock)
        {
            double trainSeconds = epochClock.Elapsed.TotalSeconds;
            // Before the epoch is validated, kept as best or checkpointed: the checkpoint on disk stays the last good epoch's.
            NetworkHealth.Check(network, () => network.call(TextTensors.Images(lines.Take(HealthProbeLines).ToArray(), device, null, options.MaxWidth).Images),
                epoch, batches, totals.LearningRate);
            TextEvaluation? validated = validation is null ? null : run.Evaluate(network, validation);
            return new TextEpochMetrics(epoch, totals.Loss, validated, totals.LearningRate, epochClock.Elapsed, totals.Images / Math.Max(trainSeconds, 1e-9));
        }

        public void Cancelled(int epochs) => TrainingLog.Cancelled(logger, epochs);

        public void Finish(TextEpochMetrics metrics, RunState<TextEpochMetrics> state)
        {
            if (metrics.Validation is { } validated)
                state.Observe(metrics.Epoch, validated.CharacterErrorRate, network);
            if (metrics.Validation is { } v)
            {
                TextTrainingLog.EpochValidated(logger, metrics.Epoch, options.Epochs, metrics.TrainLoss, v.CharacterErrorRate, v.WordErrorRate, v.TextAccuracy,
                    metrics.LearningRate, metrics.ImagesPerSecond, metrics.Duration.TotalSeconds);
            }
            else
            {
                TextTrainingLog.EpochCompleted(logger, metrics.Epoch, options.Epochs, metrics.TrainLoss, metrics.LearningRate, metrics.ImagesPerSecond,
                    metrics.Duration.TotalSeconds);
            }
            HcrMetrics.RecordEpoch(architecture, device.type.ToString().ToLowerInvariant(), metrics.ImagesPerSecond, metrics.Duration, metrics.LearningRate,
                metrics.TrainLoss, null, null, null, null, metrics.Validation?.CharacterErrorRate);
            // Saved before the epoch is reported, so that a caller who stops the run on that report keeps the epoch.
            if (checkpoint is not null)
            {
                checkpoint.Save(network, optimizer, state);
                TrainingLog.CheckpointWritten(logger, checkpoint.FilePath, metrics.Epoch);
            }
            options.Progress?.Report(new TextTrainingProgress(metrics.Epoch, options.Epochs, plan.Count, plan.Count, metrics.TrainLoss, clock.Elapsed, metrics)
            {
                ResumedEpochs = resumed,
            });
        }
    }

    /// <summary>Greedy readings of <paramref name="samples"/>, scored against their texts.</summary>
    public TextEvaluation Evaluate(TextLineNetwork network, IReadOnlyList<TextSample> samples)
    {
        // Not disposed: the scorer would dispose the network, which the caller owns.
        float[][] probabilities = TextScoring.Probabilities(new TorchTextScorer(network, device), samples.Select(s => s.Line).ToArray());
        string[] readings = probabilities.Select(p => alphabet.Decode(CtcDecoding.Greedy(p, alphabet.ClassCount))).ToArray();
        return TextEvaluation.Score(readings, samples.Select(s => s.Text).ToArray());
    }
}
