namespace Hcr.MLNet.Training;

/// <summary>
/// The order of training images in each epoch. It depends only on the seed and the epoch number, so
/// a run resumed from a checkpoint sees exactly the orders an uninterrupted run would have seen.
/// </summary>
internal sealed class EpochSampler
{
    private readonly int[][] _byClass;
    private readonly int _count;
    private readonly ClassSampling _mode;
    private readonly int _seed;

    public EpochSampler(long[] labels, int classCount, ClassSampling mode, int seed)
    {
        _count = labels.Length;
        _mode = mode;
        _seed = seed;
        _byClass = Enumerable.Range(0, classCount)
            .Select(c => Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).ToArray())
            .ToArray();
    }

    public int[] Order(int epoch)
    {
        var random = new Random(unchecked(_seed * 1_000_003 + epoch * 7_919));
        int[] order = _mode == ClassSampling.Balanced ? BalancedDraw(random, epoch) : Enumerable.Range(0, _count).ToArray();
        random.Shuffle(order);
        return order;
    }

    /// <summary>Equal share per class; within a class, shuffled passes without replacement, repeated as needed.</summary>
    private int[] BalancedDraw(Random random, int epoch)
    {
        int[][] present = _byClass.Where(c => c.Length > 0).ToArray();
        var order = new List<int>(_count);
        for (int c = 0; c < present.Length; c++)
        {
            // Spread the remainder over the classes in turn, epoch by epoch.
            int share = _count / present.Length + ((c + epoch) % present.Length < _count % present.Length ? 1 : 0);
            int[] members = (int[])present[c].Clone();
            for (int taken = 0; taken < share; taken += members.Length)
            {
                random.Shuffle(members);
                order.AddRange(members.Take(share - taken));
            }
        }
        return order.ToArray();
    }
}
