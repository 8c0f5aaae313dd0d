using Hcr.MLNet.IO;

namespace Hcr.MLNet.Training;

/// <summary>Binary form of <see cref="EpochMetrics"/>, shared by checkpoints and saved transformers.</summary>
internal static class EpochMetricsFormat
{
    public static void Write(BinaryWriter w, IReadOnlyList<EpochMetrics> history)
    {
        w.Write(history.Count);
        foreach (EpochMetrics m in history)
        {
            w.Write(m.Epoch);
            w.Write(m.TrainLoss);
            w.Write(m.TrainAccuracy);
            w.Write(m.ValidationLoss ?? double.NaN);
            w.Write(m.ValidationAccuracy ?? double.NaN);
            w.Write(m.ValidationMacroAccuracy ?? double.NaN);
            w.Write(m.LearningRate);
            w.Write(m.Duration.Ticks);
            w.Write(m.ImagesPerSecond);
            w.Write(m.PeakWorkingSetBytes);
        }
    }

    private const int MaxEpochs = 100_000;

    /// <exception cref="ModelFormatException">The count of epochs is implausible; the message names <paramref name="source"/>.</exception>
    public static List<EpochMetrics> Read(BinaryReader r, string source)
    {
        static double? Optional(double v) => double.IsNaN(v) ? null : v;
        int count = r.ReadInt32();
        if (count is < 0 or > MaxEpochs)
            throw new ModelFormatException(source, $"implausible epoch count {count}; the file is corrupt.");
        var history = new List<EpochMetrics>(count);
        for (int i = 0; i < count; i++)
        {
            history.Add(new EpochMetrics(r.ReadInt32(), r.ReadDouble(), r.ReadDouble(), Optional(r.ReadDouble()), Optional(r.ReadDouble()),
                Optional(r.ReadDouble()), r.ReadDouble(), TimeSpan.FromTicks(r.ReadInt64()), r.ReadDouble(), r.ReadInt64()));
        }
        return history;
    }
}
