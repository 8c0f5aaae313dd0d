using static TorchSharp.torch;

namespace Hcr.MLNet.Training;

/// <summary>
/// The offsets of <see cref="ClassSampling.LogitAdjusted"/>: log class priors of the training images,
/// added to the logits inside the loss only. A network trained that way learns logits that, left
/// unadjusted at prediction time, rank classes as a balanced test set would want.
/// </summary>
internal static class LogitAdjustment
{
    /// <summary>[classes] log-frequencies of <paramref name="labels"/> on <paramref name="device"/>.</summary>
    public static Tensor LogPriors(long[] labels, int classCount, Device device)
    {
        var counts = new double[classCount];
        foreach (long label in labels)
            counts[label]++;
        // A class without images (the trainer refuses those) would give log 0 = -inf; count it once.
        float[] logPriors = counts.Select(c => (float)Math.Log(Math.Max(c, 1) / labels.Length)).ToArray();
        return tensor(logPriors, device: device);
    }
}
