using Hcr.MLNet.Data;

namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>The real ByMerge test part, loaded once for all imaging tests (marked <see cref="DataFactAttribute"/>).</summary>
public static class EmnistSamples
{
    private static readonly Lazy<EmnistDataset> ByMergeTest = new(() =>
        EmnistDataset.Load(SharedData.EmnistDirectory, EmnistSplit.ByMerge, EmnistPart.Test));

    public static EmnistDataset ByMerge => ByMergeTest.Value;

    /// <summary><paramref name="count"/> distinct image indices drawn with <paramref name="seed"/>.</summary>
    public static int[] Indices(int count, int seed)
    {
        var random = new Random(seed);
        var picked = new HashSet<int>();
        while (picked.Count < count)
            picked.Add(random.Next(ByMerge.Count));
        return picked.ToArray();
    }

    /// <summary>Pearson correlation of two images' pixels.</summary>
    public static double Correlation(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        double meanA = 0, meanB = 0;
        for (int i = 0; i < a.Length; i++)
        {
            meanA += a[i];
            meanB += b[i];
        }
        meanA /= a.Length;
        meanB /= b.Length;
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double x = a[i] - meanA, y = b[i] - meanB;
            ab += x * y;
            aa += x * x;
            bb += y * y;
        }
        return ab / Math.Sqrt(aa * bb);
    }
}
