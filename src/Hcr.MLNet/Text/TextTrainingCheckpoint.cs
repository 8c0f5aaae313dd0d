using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Hcr.MLNet.IO;
using Hcr.MLNet.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Text;

/// <summary>
/// The state of a text-reader run after its last finished epoch (network, AdamW's moments and step counts, the
/// history, the best epoch's weights and error), written atomically to <c>text-checkpoint.hcrckpt</c> after every
/// epoch so that an interrupted run resumes where it stopped. A checkpoint only resumes the run that wrote it: the
/// settings that shape training and a hash of the prepared images and labels are recorded and compared.
/// </summary>
/// <remarks>
/// Nothing random is stored: the loop draws each epoch's batch order, augmentation and dropout from generators seeded
/// with the run's seed and the epoch, and the learning rate follows from the step, so the weights, the optimizer and
/// the history are the whole state. Layout (<see cref="ModelFormats.TextCheckpointVersion"/>): magic and version, the
/// two fingerprints, the history, the best error and weights (if any), the network, the optimizer state (TorchSharp's
/// layout, its length first), and the SHA-256 of everything before it, checked before anything is read.
/// </remarks>
internal sealed class TextTrainingCheckpoint(string directory, CheckpointFingerprint fingerprint, TextSequenceModel sequenceModel, TextNetworkSize size, int classCount)
{
    /// <summary>The checkpoint's file name inside <see cref="TextTrainingOptions.CheckpointDirectory"/> (not the character trainer's, so that the two never meet).</summary>
    public const string FileName = "text-checkpoint.hcrckpt";

    // Far above any real run; a larger count in a file is damage.
    private const int MaxEpochs = 100_000;

    public string FilePath { get; } = Path.Combine(directory, FileName);

    /// <summary>The settings that change what a run computes, by name, and a hash of the samples it trains and validates on.</summary>
    public static CheckpointFingerprint Fingerprint(TextTrainingOptions o, TextAlphabet alphabet, int syntheticWords,
        IReadOnlyList<TextSample> train, IReadOnlyList<TextSample>? validation)
    {
        var settings = new (string Name, object Value)[]
        {
            ("epochs", o.Epochs), ("batch size", o.BatchSize), ("learning rate", o.LearningRate), ("weight decay", o.WeightDecay),
            ("seed", o.Seed), ("sequence model", o.SequenceModel), ("max width", o.MaxWidth), ("augment", o.Augment),
            // Escaped, so that the alphabet's own ';' and '=' cannot be taken for separators.
            ("alphabet", Uri.EscapeDataString(alphabet.Characters)), ("synthetic words", syntheticWords),
            ("training images", train.Count), ("validation images", validation?.Count ?? -1),
        };
        // Named only when not the standard network, so that checkpoints written before sizes existed still resume.
        if (o.NetworkSize != TextNetworkSize.Standard)
            settings = [.. settings, ("network size", o.NetworkSize)];
        return new(string.Join(';', settings.Select(s => s.Name + "=" + Convert.ToString(s.Value, CultureInfo.InvariantCulture))),
            DataHash(train, validation));
    }

    /// <summary>
    /// SHA-256 of every sample's text, labels and normalised pixels, both sets: counts alone would let another subset of
    /// the same size resume silently. Hashing the prepared strips rather than the files also covers what the files
    /// became (skipped images, synthetic words). About a second for DHSD, once per run.
    /// </summary>
    private static string DataHash(IReadOnlyList<TextSample> train, IReadOnlyList<TextSample>? validation) =>
        CheckpointFile.Sha256Hex(hash =>
        {
            Append(hash, train);
            Append(hash, validation);
        });

    private static void Append(IncrementalHash hash, IReadOnlyList<TextSample>? samples)
    {
        // Each length before its content, so that no two different sets hash alike by shifting a boundary.
        CheckpointFile.AppendLength(hash, samples?.Count ?? -1);
        foreach (TextSample sample in samples ?? [])
        {
            byte[] text = System.Text.Encoding.UTF8.GetBytes(sample.Text);
            CheckpointFile.AppendLength(hash, text.Length);
            hash.AppendData(text);
            CheckpointFile.AppendLength(hash, sample.Labels.Length);
            hash.AppendData(MemoryMarshal.AsBytes(sample.Labels.AsSpan()));
            CheckpointFile.AppendLength(hash, sample.Line.Width);
            CheckpointFile.AppendLength(hash, sample.Line.Height);
            hash.AppendData(MemoryMarshal.AsBytes(sample.Line.Pixels.AsSpan()));
        }
    }

    public void Save(TextLineNetwork network, TorchSharp.Modules.OptimizerHelper optimizer, RunState<TextEpochMetrics> state) =>
        CheckpointFile.Write(FilePath, writer =>
        {
            ModelFormats.WriteTextCheckpointHeader(writer);
            writer.Write(fingerprint.Settings);
            writer.Write(fingerprint.Data);
            WriteHistory(writer, state.History);
            writer.Write(state.BestScore);
            state.WriteWeights(writer, CreateNetwork, network, optimizer);
        });

    /// <summary>Loads the checkpoint into the run if there is one; false when the folder has none.</summary>
    /// <exception cref="ModelFormatException">The file is not a text-reader checkpoint, is of another version, truncated or damaged (checksum, weights that are not finite).</exception>
    /// <exception cref="InvalidDataException">The checkpoint was written by a run with other settings or on other data; the message says which.</exception>
    public bool TryRestore(TextLineNetwork network, TorchSharp.Modules.OptimizerHelper optimizer, RunState<TextEpochMetrics> state) =>
        CheckpointFile.TryRead(FilePath, "text-reader training checkpoint", ModelFormats.ReadTextCheckpointHeader, reader =>
        {
            RequireSameRun(BoundedRead.String(reader, FilePath, "the settings fingerprint"), BoundedRead.String(reader, FilePath, "the data fingerprint"));
            Restore(reader, network, optimizer, state);
        });

    private TextLineNetwork CreateNetwork() => new(sequenceModel, size, classCount);

    private void RequireSameRun(string settings, string data) =>
        fingerprint.RequireSameRun(new CheckpointFingerprint(settings, data), FilePath, Differences, "the images or their texts");

    /// <summary>"epochs 3 in the checkpoint, 4 in this run; …" for the settings that differ.</summary>
    private static string Differences(string saved, string current)
    {
        static Dictionary<string, string> Parse(string s) => s.Split(';')
            .Select(pair => pair.Split('=', 2))
            .GroupBy(p => p[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().ElementAtOrDefault(1) ?? "", StringComparer.Ordinal);
        Dictionary<string, string> then = Parse(saved), now = Parse(current);
        string[] differing = then.Keys.Union(now.Keys)
            .Where(k => !then.TryGetValue(k, out string? a) || !now.TryGetValue(k, out string? b) || a != b)
            .Select(k => $"{k} {Show(then, k)} in the checkpoint, {Show(now, k)} in this run")
            .ToArray();
        return differing.Length > 0 ? string.Join("; ", differing) : "its settings are written in another form";
    }

    private static string Show(Dictionary<string, string> settings, string key) =>
        !settings.TryGetValue(key, out string? value) ? "(none)"
        : key == "alphabet" ? $"\"{Uri.UnescapeDataString(value)}\""
        : value;

    private void Restore(BinaryReader reader, TextLineNetwork network, TorchSharp.Modules.OptimizerHelper optimizer, RunState<TextEpochMetrics> state)
    {
        state.History.AddRange(ReadHistory(reader));
        state.BestScore = reader.ReadDouble();
        state.ReadWeights(reader, FilePath, CreateNetwork, network, optimizer);
    }

    private static void WriteHistory(BinaryWriter w, List<TextEpochMetrics> history)
    {
        w.Write(history.Count);
        foreach (TextEpochMetrics m in history)
        {
            w.Write(m.Epoch);
            w.Write(m.TrainLoss);
            w.Write(m.Validation is not null);
            if (m.Validation is { } v)
            {
                w.Write(v.Count);
                w.Write(v.CharacterErrorRate);
                w.Write(v.WordErrorRate);
                w.Write(v.TextAccuracy);
            }
            w.Write(m.LearningRate);
            w.Write(m.Duration.Ticks);
            w.Write(m.ImagesPerSecond);
        }
    }

    private List<TextEpochMetrics> ReadHistory(BinaryReader r)
    {
        int count = r.ReadInt32();
        if (count is < 0 or > MaxEpochs)
            throw new ModelFormatException(FilePath, $"implausible epoch count {count}; the file is corrupt.");
        var history = new List<TextEpochMetrics>(count);
        for (int i = 0; i < count; i++)
        {
            int epoch = r.ReadInt32();
            if (epoch != i + 1)
                throw new ModelFormatException(FilePath, $"the history's entry {i + 1} is of epoch {epoch}; the file is corrupt.");
            double loss = r.ReadDouble();
            TextEvaluation? validation = r.ReadBoolean() ? new TextEvaluation(r.ReadInt32(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble()) : null;
            history.Add(new TextEpochMetrics(epoch, loss, validation, r.ReadDouble(), TimeSpan.FromTicks(r.ReadInt64()), r.ReadDouble()));
        }
        return history;
    }
}
