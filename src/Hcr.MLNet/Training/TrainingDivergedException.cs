using System.Globalization;

namespace Hcr.MLNet.Training;

/// <summary>
/// Training stopped because a batch's loss was NaN or infinite: the weights have diverged, and every later
/// step would only spread the damage into a model that predicts nothing. A lower learning rate usually cures it.
/// </summary>
public sealed class TrainingDivergedException : InvalidOperationException
{
    private TrainingDivergedException(float loss, int epoch, int batch, int batches, double learningRate)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"Training diverged: the loss of epoch {epoch}, batch {batch} of {batches} is {loss} at learning rate {learningRate:G3}. " +
            $"Lower the learning rate (to a tenth, say) and train again."))
    {
        Epoch = epoch;
        Batch = batch;
        LearningRate = learningRate;
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
}
