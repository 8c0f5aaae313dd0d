using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Hcr.MLNet.IO;
using Hcr.MLNet.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Training;

/// <summary>
/// The state of a run after its last finished epoch (weights, optimizer moments, history, early-stopping
/// bookkeeping, the weight average if there is one), written atomically to <c>checkpoint.hcrckpt</c> so that an interrupted run can resume.
/// A checkpoint only resumes the run that wrote it: the settings that shape training and a hash of the data are recorded and compared.
/// </summary>
/// <remarks>
/// Layout (<see cref="ModelFormats.CheckpointVersion"/>): magic and version, the two fingerprints, the history and
/// early-stopping state, the best weights (if kept), the network, the optimizer state (TorchSharp's layout, its
/// length first), the weight average (if there is one), and the SHA-256 of everything before it. The checksum is
/// checked before anything is read, so a damaged file is refused rather than resumed.
/// </remarks>
internal sealed class TrainingCheckpoint(string directory, CheckpointFingerprint fingerprint, CnnArchitecture architecture, int classCount)
{
    // Images hashed per slice: a slice of a GPU tensor is copied to the CPU a few MB at a time.
    private const int HashSliceImages = 4096;

    /// <summary>The checkpoint's file name inside <see cref="HandwritingCnnOptions.CheckpointDirectory"/>.</summary>
    public const string FileName = "checkpoint.hcrckpt";

    public string FilePath { get; } = Path.Combine(directory, FileName);

    public static CheckpointFingerprint Fingerprint(HandwritingCnnOptions o, int classCount, ImageTensors train, ImageTensors? validation) =>
        new(Settings(o, classCount, train.Count, validation?.Count ?? 0), DataHash(train, validation));

    private static string Settings(HandwritingCnnOptions o, int classCount, int trainCount, int validationCount) =>
        string.Join(';', new object[]
        {
            o.Architecture.Name, classCount, trainCount, validationCount, o.Epochs, o.BatchSize, o.LearningRate, o.Optimizer,
            o.LearningRateSchedule, o.WeightDecay, o.LabelSmoothing, o.Augmentation, o.Sampling, o.WeightAverageDecay, o.Seed,
            o.EarlyStoppingPatience ?? 0, o.EarlyStoppingMetric, o.RestoreBestWeights,
            // Validation scores the test-time views, so they shape early stopping and the best weights.
            string.Join(',', o.TestTimeRotations.Select(a => a.ToString("R", CultureInfo.InvariantCulture))),
        }.Concat(FineTuningSettings(o)).Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));

    /// <summary>
    /// A fine-tuning run must not resume a from-scratch run's checkpoint (or the reverse). Nothing is added for
    /// runs from scratch, so that their existing checkpoints keep their fingerprints. The base network itself is
    /// not hashed (its classes and the freezing are); a checkpoint folder is meant for one base.
    /// </summary>
    private static IEnumerable<object> FineTuningSettings(HandwritingCnnOptions o) => o.FineTuning is null ? []
        : ["fine-tune", o.FineTuning.FreezeFeatures ? "frozen" : "full", string.Join(',', o.FineTuning.Base.ClassNames)];

    /// <summary>
    /// SHA-256 of the labels and pixels of both sets: counts alone would let a different subset of the same size
    /// resume silently. It costs a fraction of a second per 100,000 images, once per run.
    /// </summary>
    private static string DataHash(ImageTensors train, ImageTensors? validation) =>
        CheckpointFile.Sha256Hex(hash =>
        {
            Append(hash, train);
            Append(hash, validation);
        });

    private static void Append(IncrementalHash hash, ImageTensors? data)
    {
        // The count first (-1 for no set) keeps the boundary between the sets in the hash.
        CheckpointFile.AppendLength(hash, data?.Count ?? -1);
        if (data is null)
            return;
        hash.AppendData(MemoryMarshal.AsBytes(data.LabelArray.AsSpan()));
        for (long start = 0; start < data.Count; start += HashSliceImages)
        {
            using var scope = torch.NewDisposeScope();
            Tensor slice = data.Images.narrow(0, start, Math.Min(HashSliceImages, data.Count - start)).cpu().contiguous();
            hash.AppendData(slice.bytes);
        }
    }

    public void Save(nn.Module network, TorchSharp.Modules.OptimizerHelper optimizer, RunState<EpochMetrics> state, WeightAverage? average) =>
        CheckpointFile.Write(FilePath, writer =>
        {
            ModelFormats.WriteCheckpointHeader(writer);
            writer.Write(fingerprint.Settings);
            writer.Write(fingerprint.Data);
            EpochMetricsFormat.Write(writer, state.History);
            writer.Write(state.BestEpoch ?? -1);
            writer.Write(state.BestScore);
            writer.Write(state.EpochsWithoutImprovement);
            writer.Write(state.Stopped);
            state.WriteWeights(writer, () => architecture.CreateNetwork(classCount), network, optimizer);
            if (average is not null) // whether there is one is part of the fingerprint
            {
                writer.Write(average.Steps);
                average.Network.save(writer);
            }
        });

    /// <summary>Loads the checkpoint into the run if there is one; false when the folder has none.</summary>
    /// <exception cref="ModelFormatException">The file is not a checkpoint, is of an older format, truncated or damaged (checksum, weights that are not finite).</exception>
    /// <exception cref="InvalidDataException">The checkpoint was written by a run with other settings or on other data.</exception>
    public bool TryRestore(nn.Module network, TorchSharp.Modules.OptimizerHelper optimizer, RunState<EpochMetrics> state, WeightAverage? average) =>
        CheckpointFile.TryRead(FilePath, "training checkpoint", ModelFormats.ReadCheckpointHeader, reader =>
        {
            RequireSameRun(BoundedRead.String(reader, FilePath, "the settings fingerprint"), BoundedRead.String(reader, FilePath, "the data fingerprint"));
            Restore(reader, network, optimizer, state, average);
        });

    private void RequireSameRun(string settings, string data) =>
        fingerprint.RequireSameRun(new CheckpointFingerprint(settings, data), FilePath,
            (saved, current) => $"{saved} then, {current} now", "the images or labels");

    private void Restore(BinaryReader reader, nn.Module network, TorchSharp.Modules.OptimizerHelper optimizer, RunState<EpochMetrics> state, WeightAverage? average)
    {
        state.History.AddRange(EpochMetricsFormat.Read(reader, FilePath));
        int bestEpoch = reader.ReadInt32();
        if (bestEpoch < -1 || bestEpoch > state.History.Count)
            throw new ModelFormatException(FilePath, $"implausible best epoch {bestEpoch} after {state.History.Count} epochs; the file is corrupt.");
        state.BestEpoch = bestEpoch < 0 ? null : bestEpoch;
        state.BestScore = reader.ReadDouble();
        state.EpochsWithoutImprovement = reader.ReadInt32();
        state.Stopped = reader.ReadBoolean();
        state.ReadWeights(reader, FilePath, () => architecture.CreateNetwork(classCount), network, optimizer);
        if (average is not null)
        {
            average.Steps = reader.ReadInt64();
            if (average.Steps < 0)
                throw new ModelFormatException(FilePath, $"implausible weight-average step count {average.Steps}; the file is corrupt.");
            StateDictFormat.Load(reader, average.Network, FilePath, "weight average");
        }
    }
}
