using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Training;

/// <summary>What a run carries from epoch to epoch: history and early-stopping bookkeeping.</summary>
internal sealed class RunState
{
    public List<EpochMetrics> History { get; } = [];

    public int? BestEpoch { get; set; }

    public double BestScore { get; set; } = double.NaN;

    public int EpochsWithoutImprovement { get; set; }

    public bool Stopped { get; set; }

    /// <summary>Copies of the best epoch's weights, kept when best weights are to be restored.</summary>
    public Dictionary<string, Tensor>? BestWeights { get; set; }

    /// <summary>Updates the best epoch after <paramref name="metrics"/>; copies the weights when it improved and <paramref name="network"/> is given.</summary>
    public void Observe(EpochMetrics metrics, EarlyStoppingMetric metric, int patience, nn.Module? network)
    {
        // Lower is better for both: loss as is, accuracy negated.
        double score = metric == EarlyStoppingMetric.ValidationLoss ? metrics.ValidationLoss!.Value : -metrics.ValidationAccuracy!.Value;
        if (double.IsNaN(BestScore) || score < BestScore)
        {
            BestScore = score;
            BestEpoch = metrics.Epoch;
            EpochsWithoutImprovement = 0;
            if (network is not null)
                KeepWeights(network);
        }
        else if (++EpochsWithoutImprovement >= patience)
        {
            Stopped = true;
        }
    }

    public void KeepWeights(nn.Module network)
    {
        DisposeBest();
        BestWeights = network.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope());
    }

    public void DisposeBest()
    {
        if (BestWeights is null)
            return;
        foreach (Tensor t in BestWeights.Values)
            t.Dispose();
        BestWeights = null;
    }
}
