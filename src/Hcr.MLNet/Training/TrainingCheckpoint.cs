using System.Globalization;
using Hcr.MLNet.IO;
using Hcr.MLNet.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Training;

/// <summary>
/// The state of a run after its last finished epoch (weights, optimizer moments, history, early-stopping
/// bookkeeping, the weight average if there is one), written atomically to <c>checkpoint.hcrckpt</c> so that an interrupted run can resume.
/// A checkpoint only resumes the run that wrote it: the settings that shape training are recorded and compared.
/// </summary>
internal sealed class TrainingCheckpoint(string directory, string fingerprint, CnnArchitecture architecture, int classCount)
{
    private const string Magic = "HCR-CHECKPOINT";
    private const int FormatVersion = 2;

    public string FilePath { get; } = Path.Combine(directory, "checkpoint.hcrckpt");

    public static string Fingerprint(HandwritingCnnOptions o, int classCount, int trainCount, int validationCount) =>
        string.Join(';', new object[]
        {
            o.Architecture.Name, classCount, trainCount, validationCount, o.Epochs, o.BatchSize, o.LearningRate, o.Optimizer,
            o.LearningRateSchedule, o.WeightDecay, o.LabelSmoothing, o.Augmentation, o.Sampling, o.WeightAverageDecay, o.Seed,
            o.EarlyStoppingPatience ?? 0, o.EarlyStoppingMetric, o.RestoreBestWeights,
            // Validation scores the test-time views, so they shape early stopping and the best weights.
            string.Join(',', o.TestTimeRotations.Select(a => a.ToString("R", CultureInfo.InvariantCulture))),
        }.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));

    public void Save(nn.Module network, TorchSharp.Modules.OptimizerHelper optimizer, RunState state, WeightAverage? average)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.Write(FilePath, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(fingerprint);
            EpochMetricsFormat.Write(writer, state.History);
            writer.Write(state.BestEpoch ?? -1);
            writer.Write(state.BestScore);
            writer.Write(state.EpochsWithoutImprovement);
            writer.Write(state.Stopped);
            writer.Write(state.BestWeights is not null);
            if (state.BestWeights is not null)
            {
                using nn.Module<Tensor, Tensor> best = architecture.CreateNetwork(classCount);
                best.load_state_dict(state.BestWeights);
                best.save(writer);
            }
            network.save(writer);
            optimizer.save_state_dict(writer);
            if (average is not null) // whether there is one is part of the fingerprint
            {
                writer.Write(average.Steps);
                average.Network.save(writer);
            }
        });
    }

    /// <summary>Loads the checkpoint into the run if there is one; false when the folder has none.</summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint of this format or was written by a run with other settings.</exception>
    public bool TryRestore(nn.Module network, TorchSharp.Modules.OptimizerHelper optimizer, RunState state, WeightAverage? average)
    {
        if (!File.Exists(FilePath))
            return false;
        try
        {
            using var reader = new BinaryReader(File.OpenRead(FilePath));
            if (reader.ReadString() != Magic)
                throw new InvalidDataException($"{FilePath} is not an Hcr.MLNet training checkpoint.");
            int version = reader.ReadInt32();
            if (version != FormatVersion)
                throw new InvalidDataException($"{FilePath} has checkpoint format {version}; this version of Hcr.MLNet reads format {FormatVersion}.");
            string recorded = reader.ReadString();
            if (recorded != fingerprint)
            {
                throw new InvalidDataException(
                    $"{FilePath} was written by a run with other settings or data ({recorded}) than this one ({fingerprint}); " +
                    "delete it or choose another CheckpointDirectory.");
            }
            state.History.AddRange(EpochMetricsFormat.Read(reader));
            int bestEpoch = reader.ReadInt32();
            state.BestEpoch = bestEpoch < 0 ? null : bestEpoch;
            state.BestScore = reader.ReadDouble();
            state.EpochsWithoutImprovement = reader.ReadInt32();
            state.Stopped = reader.ReadBoolean();
            if (reader.ReadBoolean())
            {
                using nn.Module<Tensor, Tensor> best = architecture.CreateNetwork(classCount);
                best.load(reader);
                state.KeepWeights(best);
            }
            network.load(reader);
            optimizer.load_state_dict(reader);
            if (average is not null)
            {
                average.Steps = reader.ReadInt64();
                average.Network.load(reader);
            }
            return true;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{FilePath} is truncated.", e);
        }
    }
}
