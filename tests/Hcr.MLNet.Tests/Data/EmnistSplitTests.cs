using Hcr.MLNet.Data;
using Hcr.MLNet.Tests.TestSupport;

namespace Hcr.MLNet.Tests.Data;

public class EmnistSplitTests
{
    // Unbalanced on purpose: 100, 40 and 7 images; each image's pixels encode its original index.
    private static EmnistDataset Unbalanced()
    {
        int[] labels = [.. Enumerable.Repeat(0, 100), .. Enumerable.Repeat(1, 40), .. Enumerable.Repeat(2, 7)];
        new Random(1).Shuffle(labels);
        var pixels = new byte[labels.Length * 784];
        for (int i = 0; i < labels.Length; i++)
        {
            pixels[i * 784] = (byte)(i % 256);
            pixels[i * 784 + 1] = (byte)(i / 256);
        }
        return EmnistDataset.Create(pixels, labels, ['a', 'b', 'c']);
    }

    private static int[] OriginalIndices(EmnistDataset part) =>
        Enumerable.Range(0, part.Count).Select(i => part.GetImage(i)[0] + 256 * part.GetImage(i)[1]).ToArray();

    [Fact]
    public void Split_is_stratified_by_class()
    {
        var (train, test) = Unbalanced().Split(0.9, seed: 2024);
        Assert.Equal([90, 36, 6], train.CountPerClass());
        Assert.Equal([10, 4, 1], test.CountPerClass());
    }

    [Fact]
    public void Split_is_a_partition_that_keeps_order()
    {
        var data = Unbalanced();
        var (train, test) = data.Split(0.7, seed: 5);
        int[] a = OriginalIndices(train), b = OriginalIndices(test);
        Assert.Equal(Enumerable.Range(0, data.Count), a.Concat(b).Order());
        Assert.Equal(a.Order(), a);
        Assert.Equal(b.Order(), b);
        Assert.All(a, i => Assert.Equal(data.GetLabel(i), train.GetLabel(Array.IndexOf(a, i))));
    }

    [Fact]
    public void Same_seed_same_split_and_other_seed_other_split()
    {
        var data = Unbalanced();
        int[] first = OriginalIndices(data.Split(0.5, 11).Test);
        Assert.Equal(first, OriginalIndices(data.Split(0.5, 11).Test));
        Assert.NotEqual(first, OriginalIndices(data.Split(0.5, 12).Test));
    }

    [Fact]
    public void Every_class_with_two_images_lands_on_both_sides()
    {
        var data = EmnistDataset.Create(new byte[4 * 784], [0, 0, 1, 1], ['a', 'b']);
        var (train, test) = data.Split(0.95, 1);
        Assert.Equal([1, 1], train.CountPerClass());
        Assert.Equal([1, 1], test.CountPerClass());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Fraction_must_be_strictly_between_zero_and_one(double fraction)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Unbalanced().Split(fraction, 1));
    }
}
