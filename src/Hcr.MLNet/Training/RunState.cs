using Hcr.MLNet.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Training;

/// <summary>
/// What a training run carries from epoch to epoch, for characters and text alike: the history (one
/// <typeparamref name="TMetrics"/> per finished epoch), the best validation score and its epoch's weights, and the
/// early-stopping bookkeeping. Both trainers' checkpoints write it.
/// </summary>
internal sealed class RunState<TMetrics> : IDisposable
{
    public List<TMetrics> History { get; } = [];

    public int? BestEpoch { get; set; }

    /// <summary>The best validation score so far, lower being better; infinity before the first (NaN in checkpoints written before infinity was used).</summary>
    public double BestScore { get; set; } = double.PositiveInfinity;

    public int EpochsWithoutImprovement { get; set; }

    public bool Stopped { get; set; }

    /// <summary>Copies of the best epoch's weights, kept when the run restores them.</summary>
    public Dictionary<string, Tensor>? BestWeights { get; private set; }

    /// <summary>
    /// Records epoch <paramref name="epoch"/>'s validation <paramref name="score"/> (lower is better): when it improves on
    /// the best, it becomes the best and <paramref name="network"/>'s weights are copied (if given); otherwise the run
    /// stops once <paramref name="patience"/> epochs in a row have not improved (never when null).
    /// </summary>
    public void Observe(int epoch, double score, nn.Module? network, int? patience = null)
    {
        if (double.IsNaN(BestScore) || score < BestScore)
        {
            BestScore = score;
            BestEpoch = epoch;
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

    /// <summary>
    /// The weights that end both trainers' checkpoints: whether best weights are kept and, if so, a network made by
    /// <paramref name="createNetwork"/> holding them; then <paramref name="network"/>; then the optimizer's state.
    /// </summary>
    public void WriteWeights(BinaryWriter writer, Func<nn.Module> createNetwork, nn.Module network, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        writer.Write(BestWeights is not null);
        if (BestWeights is not null)
        {
            using nn.Module best = createNetwork();
            best.load_state_dict(BestWeights);
            best.save(writer);
        }
        network.save(writer);
        CheckpointFile.WriteOptimizer(writer, optimizer);
    }

    /// <summary>Reads what <see cref="WriteWeights"/> wrote; <paramref name="path"/> names the file in errors.</summary>
    /// <exception cref="ModelFormatException">Weights of another shape, not finite, or an optimizer state that is not this optimizer's.</exception>
    public void ReadWeights(BinaryReader reader, string path, Func<nn.Module> createNetwork, nn.Module network, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        if (reader.ReadBoolean())
        {
            using nn.Module best = createNetwork();
            StateDictFormat.Load(reader, best, path, "best weights");
            KeepWeights(best);
        }
        StateDictFormat.Load(reader, network, path, "network");
        CheckpointFile.ReadOptimizer(reader, optimizer, path);
    }

    public void Dispose() => DisposeBest();

    private void DisposeBest()
    {
        foreach (Tensor t in BestWeights?.Values ?? Enumerable.Empty<Tensor>())
            t.Dispose();
        BestWeights = null;
    }
}
