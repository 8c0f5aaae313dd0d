using System.Globalization;

namespace Hcr.MLNet.Training;

/// <summary>
/// Training stopped because it diverged: a batch's loss was NaN or infinite, or exploded (more than
/// <see cref="ExplodingLossFactor"/> times the run's first), or at an epoch's end a weight or the network's output was NaN
/// or infinite. Every later step would only spread the damage into a model that predicts nothing, so the run ends before
/// the diverged epoch is checkpointed or returned: a checkpoint folder keeps the last good epoch. Thrown by the character
/// trainers (training and fine-tuning) and the text reader's (training and adaptation). A lower learning rate usually cures it.
/// </summary>
public sealed class TrainingDivergedException : InvalidOperationException
{
    private const string Advice = "Lower the learning rate (to a tenth, say) and train again.";

    /// <summary>
    /// A batch loss above this multiple of the run's reference loss (its first batch's, and at least that of a uniform
    /// guess, ln of the class count) means the weights have blown up even though the loss is still a number: a fine-tuning
    /// at learning rate 1e6 reached 7.7e20 and left a network that answered one class at 100% for every image.
    /// </summary>
    internal const double ExplodingLossFactor = 1000;

    private TrainingDivergedException(string what, int epoch, int batch, int batches, double learningRate)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"Training diverged: {what} in epoch {epoch}, batch {batch} of {batches}, at learning rate {learningRate:G3}; nothing of this run was saved past the last good epoch. {Advice}"))
    {
        Epoch = epoch;
        Batch = batch;
        LearningRate = learningRate;
    }

    private TrainingDivergedException(float loss, int epoch, int batch, int batches, double learningRate)
        : this(string.Create(CultureInfo.InvariantCulture, $"the loss is {loss}"), epoch, batch, batches, learningRate)
    {
    }

    /// <summary>The epoch (from 1) whose batch had the loss.</summary>
    public int Epoch { get; }

    /// <summary>The batch (from 1) within <see cref="Epoch"/>.</summary>
    public int Batch { get; }

    /// <summary>The learning rate of that batch.</summary>
    public double LearningRate { get; }

    internal static void ThrowIfNotFinite(float loss, int epoch, int batch, int batches, double learningRate)
    {
        if (!float.IsFinite(loss))
            throw new TrainingDivergedException(loss, epoch, batch, batches, learningRate);
    }

    /// <summary>
    /// Throws when <paramref name="loss"/> is not finite or exceeds <see cref="ExplodingLossFactor"/> times
    /// <paramref name="reference"/>; the first call of a run passes null and gets the reference back.
    /// </summary>
    internal static double CheckLoss(float loss, double? reference, int classCount, int epoch, int batch, int batches, double learningRate)
    {
        ThrowIfNotFinite(loss, epoch, batch, batches, learningRate);
        if (reference is null)
            return Math.Max(loss, Math.Log(classCount));
        if (loss > ExplodingLossFactor * reference.Value)
        {
            throw new TrainingDivergedException(string.Create(CultureInfo.InvariantCulture,
                $"the loss exploded to {loss:G3}, more than {ExplodingLossFactor:G} times the run's first loss of {reference.Value:G3}"), epoch, batch, batches, learningRate);
        }
        return reference.Value;
    }

    /// <summary>Thrown after an epoch whose last steps left a weight, or the network's output, NaN or infinite.</summary>
    internal static TrainingDivergedException NotFinite(string what, int epoch, int batches, double learningRate) =>
        new($"{what} became NaN or infinite", epoch, batches, batches, learningRate);
}

/// <summary>
/// The end-of-epoch check that the network is still usable, before the epoch is checkpointed, kept as best or returned:
/// a step can leave weights NaN (or so large that the network's outputs overflow) on an epoch's last batch, after the
/// last loss was read, and such a network was saved and then read nothing.
/// </summary>
internal static class NetworkHealth
{
    /// <summary>
    /// Throws <see cref="TrainingDivergedException"/> unless every parameter and buffer of <paramref name="network"/> is
    /// finite and <paramref name="probe"/> (a forward pass on a few training images, in evaluation mode) gives finite outputs.
    /// </summary>
    public static void Check(TorchSharp.torch.nn.Module network, Func<TorchSharp.torch.Tensor> probe, int epoch, int batches, double learningRate)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var noGrad = TorchSharp.torch.no_grad();
        foreach ((string name, TorchSharp.torch.Tensor tensor) in network.named_parameters().Select(p => (p.name, (TorchSharp.torch.Tensor)p.parameter)).Concat(network.named_buffers()))
        {
            if (tensor.is_floating_point() && !TorchSharp.torch.isfinite(tensor).all().item<bool>())
                throw TrainingDivergedException.NotFinite($"the weight '{name}'", epoch, batches, learningRate);
        }
        bool training = network.training;
        network.eval();
        try
        {
            if (!TorchSharp.torch.isfinite(probe()).all().item<bool>())
                throw TrainingDivergedException.NotFinite("the network's output", epoch, batches, learningRate);
        }
        finally
        {
            network.train(training);
        }
    }
}
