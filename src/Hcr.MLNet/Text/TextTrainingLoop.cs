using System.Diagnostics;
using Hcr.MLNet.Training;
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
    /// <summary>Gradients are clipped to this norm: CTC's gradients spike on long, badly aligned lines early on.</summary>
    private const double MaxGradientNorm = 5;

    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(0.5);

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
        long totalSteps = (long)batches * options.Epochs;
        validation = validation is { Count: > 0 } ? validation : null;
        using var state = new TextRunState();
        TextTrainingCheckpoint? checkpoint = options.CheckpointDirectory is null ? null
            : new TextTrainingCheckpoint(options.CheckpointDirectory,
                TextTrainingCheckpoint.Fingerprint(options, alphabet, syntheticWords, train, validation), options.SequenceModel, options.NetworkSize, alphabet.ClassCount);
        var clock = Stopwatch.StartNew();
        double? lossReference = null;
        try
        {
            int resumed = checkpoint?.TryRestore(network, optimizer, state) == true ? state.History.Count : 0;
            for (int epoch = resumed + 1; epoch <= options.Epochs; epoch++)
            {
                var epochClock = Stopwatch.StartNew();
                network.train();
                if (FreezeBatchNorm)
                {
                    foreach (var module in network.modules())
                    {
                        if (module is TorchSharp.Modules.BatchNorm1d or TorchSharp.Modules.BatchNorm2d)
                            module.eval();
                    }
                }
                // Every epoch's randomness (batch order, augmentation, dropout) follows from the seed and the epoch alone,
                // so that a run resumed from a checkpoint draws what the uninterrupted run drew.
                torch.manual_seed(unchecked(options.Seed * 1_000_003L + epoch));
                var random = new Random(unchecked(options.Seed * 1_000_003 + epoch));
                List<int[]> plan = TextBatch.Plan(lines, options.BatchSize, random);
                double lossSum = 0, learningRate = 0;
                int seen = 0, step = 0;
                var lastReport = TimeSpan.Zero;
                foreach (int[] batch in plan)
                {
                    options.CancellationToken.ThrowIfCancellationRequested();
                    learningRate = LearningRatePlan.At(LearningRateSchedule.OneCycle, options.LearningRate, (long)(epoch - 1) * batches + step, totalSteps);
                    foreach (var group in optimizer.ParamGroups)
                        group.LearningRate = learningRate;
                    using (var scope = torch.NewDisposeScope())
                    {
                        (Tensor images, long[] positions) = TextTensors.Images(batch.Select(i => lines[i]).ToArray(), device, options.Augment ? random : null, options.MaxWidth);
                        Tensor logProbabilities = nn.functional.log_softmax(network.call(images), 2).transpose(0, 1); // (T, N, C)
                        long[] targets = batch.SelectMany(i => train[i].Labels).Select(l => (long)l).ToArray();
                        long[] targetLengths = batch.Select(i => (long)train[i].Labels.Length).ToArray();
                        Tensor loss = nn.functional.ctc_loss(logProbabilities, tensor(targets, device: device), tensor(positions, device: device),
                            tensor(targetLengths, device: device), TextAlphabet.Blank, zero_infinity: true, reduction: nn.Reduction.Mean);
                        optimizer.zero_grad();
                        loss.backward();
                        nn.utils.clip_grad_norm_(parameters, MaxGradientNorm);
                        optimizer.step();
                        // The run ends here on a NaN, infinite or exploding loss, so the step just taken is never kept (nor checkpointed).
                        // zero_infinity hides a network whose alignments all became impossible (loss 0): NetworkHealth catches that one.
                        float value = loss.item<float>();
                        lossReference = TrainingDivergedException.CheckLoss(value, lossReference, alphabet.ClassCount, epoch, step + 1, plan.Count, learningRate);
                        lossSum += value * batch.Length;
                        seen += batch.Length;
                    }
                    step++;
                    if (epochClock.Elapsed - lastReport >= ReportInterval)
                    {
                        lastReport = epochClock.Elapsed;
                        options.Progress?.Report(new TextTrainingProgress(epoch, options.Epochs, step, plan.Count, lossSum / Math.Max(1, seen), clock.Elapsed, null)
                        {
                            ResumedEpochs = resumed,
                        });
                    }
                }
                double trainSeconds = epochClock.Elapsed.TotalSeconds;
                // Before the epoch is validated, kept as best or checkpointed: the checkpoint on disk stays the last good epoch's.
                NetworkHealth.Check(network, () => network.call(TextTensors.Images(lines.Take(HealthProbeLines).ToArray(), device, null, options.MaxWidth).Images),
                    epoch, plan.Count, learningRate);
                TextEvaluation? validated = validation is null ? null : Evaluate(network, validation);
                var metrics = new TextEpochMetrics(epoch, lossSum / Math.Max(1, seen), validated, learningRate, epochClock.Elapsed, seen / Math.Max(trainSeconds, 1e-9));
                state.History.Add(metrics);
                if (validated is not null && validated.CharacterErrorRate < state.BestError)
                {
                    state.BestError = validated.CharacterErrorRate;
                    state.KeepWeights(network);
                }
                // Saved before the epoch is reported, so that a caller who stops the run on that report keeps the epoch.
                checkpoint?.Save(network, optimizer, state);
                options.Progress?.Report(new TextTrainingProgress(epoch, options.Epochs, plan.Count, plan.Count, metrics.TrainLoss, clock.Elapsed, metrics)
                {
                    ResumedEpochs = resumed,
                });
            }
            if (state.BestWeights is not null)
                network.load_state_dict(state.BestWeights);
            network.eval();
            return (network, state.History);
        }
        catch
        {
            network.Dispose();
            throw;
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
