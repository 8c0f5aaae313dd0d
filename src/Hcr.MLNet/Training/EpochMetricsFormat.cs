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

    public static List<EpochMetrics> Read(BinaryReader r)
    {
        static double? Optional(double v) => double.IsNaN(v) ? null : v;
        int count = r.ReadInt32();
        if (count is < 0 or > 100_000)
            throw new InvalidDataException($"implausible epoch count {count}.");
        var history = new List<EpochMetrics>(count);
        for (int i = 0; i < count; i++)
        {
            history.Add(new EpochMetrics(r.ReadInt32(), r.ReadDouble(), r.ReadDouble(), Optional(r.ReadDouble()), Optional(r.ReadDouble()),
                Optional(r.ReadDouble()), r.ReadDouble(), TimeSpan.FromTicks(r.ReadInt64()), r.ReadDouble(), r.ReadInt64()));
        }
        return history;
    }
}
