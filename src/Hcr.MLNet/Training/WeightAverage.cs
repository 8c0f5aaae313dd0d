using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Training;

/// <summary>
/// An exponential moving average of a network's weights and batch-norm statistics (Polyak averaging),
/// kept in a second copy of the network and updated after every optimizer step. It is a running mean
/// until 1 / (1 − decay) steps have passed, so that the early, random weights do not linger in it,
/// and an exponential average with the given decay after that.
/// </summary>
internal sealed class WeightAverage : IDisposable
{
    private readonly (Tensor Average, Tensor Live)[] pairs;
    private readonly double decay;

    /// <param name="live">The network being trained.</param>
    /// <param name="copy">A fresh network of the same architecture, which becomes the average (and is owned by it).</param>
    /// <param name="decay">Weight of the old average at each step, in (0, 1).</param>
    public WeightAverage(nn.Module<Tensor, Tensor> live, nn.Module<Tensor, Tensor> copy, double decay)
    {
        this.decay = decay;
        Network = copy;
        Network.load_state_dict(live.state_dict());
        foreach (TorchSharp.Modules.Parameter p in Network.parameters())
            p.requires_grad = false;
        Dictionary<string, Tensor> liveState = live.state_dict();
        pairs = Network.state_dict().Select(p => (p.Value, liveState[p.Key])).ToArray();
    }

    /// <summary>The averaged network.</summary>
    public nn.Module<Tensor, Tensor> Network { get; }

    /// <summary>Optimizer steps averaged so far.</summary>
    public long Steps { get; set; }

    /// <summary>Folds the live network's current weights into the average.</summary>
    public void Update()
    {
        Steps++;
        double keep = Math.Min(decay, (Steps - 1.0) / Steps);
        using var noGrad = torch.no_grad();
        foreach ((Tensor average, Tensor live) in pairs)
        {
            if (average.is_floating_point())
                average.lerp_(live, 1 - keep); // average + (1 − keep)·(live − average), one kernel
            else
                average.copy_(live); // counters such as batch norm's num_batches_tracked
        }
    }

    public void Dispose() => Network.Dispose();
}
