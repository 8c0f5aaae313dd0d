using Hcr.MLNet.Data;
using Hcr.MLNet.Tests.TestSupport;

namespace Hcr.MLNet.Tests.Data;

/// <summary>Real EMNIST files from ../shared/data/emnist: skipped, or failed where the data is required, when it is absent (<see cref="DataFactAttribute"/>).</summary>
public class RealEmnistTests
{
    [DataFact(SharedDataSet.Emnist)]
    public void ByMerge_test_part_loads_with_47_classes()
    {
        var data = EmnistDataset.Load(SharedData.EmnistDirectory, EmnistSplit.ByMerge, EmnistPart.Test);
        Assert.Equal(116_323, data.Count);
        Assert.Equal(47, data.ClassCount);
        Assert.Equal("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabdefghnqrt", new string(data.Classes.ToArray()));
        int[] counts = data.CountPerClass();
        Assert.All(counts, c => Assert.True(c > 300, $"every class has images, got {c}"));
        Assert.True(counts[1] > 10 * counts.Min(), "ByMerge is unbalanced: digits far outnumber the rarest letters");
    }

    [DataFact(SharedDataSet.Emnist)]
    public void Images_are_upright_after_loading()
    {
        var data = EmnistDataset.Load(SharedData.EmnistDirectory, EmnistSplit.Mnist, EmnistPart.Test);
        Assert.Equal(10_000, data.Count);
        // The mean '7' has its bar at the top: the top third holds more ink than the bottom third.
        // Transposed, the bar would be a column at the left and the thirds would hold about equal ink.
        var top = 0L;
        var bottom = 0L;
        var left = 0L;
        var right = 0L;
        for (int i = 0; i < data.Count; i++)
        {
            if (data.GetCharacter(i) != '7')
                continue;
            ReadOnlySpan<byte> image = data.GetImage(i);
            for (int r = 0; r < 28; r++)
            {
                for (int c = 0; c < 28; c++)
                {
                    if (r < 10) top += image[r * 28 + c];
                    if (r >= 18) bottom += image[r * 28 + c];
                    if (c < 10) left += image[r * 28 + c];
                    if (c >= 18) right += image[r * 28 + c];
                }
            }
        }
        Assert.True(top > 2 * bottom, $"top {top} vs bottom {bottom}");
        Assert.True(right > left, $"the '7' stroke leans right at the top: right {right} vs left {left}");
    }

    [DataFact(SharedDataSet.Emnist)]
    public void Dev_split_of_the_local_protocol_is_stratified()
    {
        var data = EmnistDataset.Load(SharedData.EmnistDirectory, EmnistSplit.ByMerge, EmnistPart.Test);
        var (train, dev) = data.Split(0.9, seed: 2024);
        Assert.Equal(data.Count, train.Count + dev.Count);
        int[] all = data.CountPerClass(), devCounts = dev.CountPerClass();
        for (int c = 0; c < all.Length; c++)
            Assert.InRange(devCounts[c], (int)Math.Floor(all[c] * 0.1) - 1, (int)Math.Ceiling(all[c] * 0.1) + 1);
    }
}
