namespace Hcr.MLNet;

/// <summary>
/// How <see cref="HandwritingTextReaderBuilder.StartingFrom"/> adapts a trained reader to new images (typically a handful
/// of one person's words): a short run from the reader's weights, at a low learning rate, that keeps its alphabet.
/// </summary>
/// <remarks>
/// The defaults were fixed before measuring (see docs/text-reader-protocol.md): enough steps that every image is seen
/// several times under augmentation, a learning rate a few times below training's, so that a few words move the
/// network towards one hand without forgetting the others.
/// </remarks>
public sealed class TextAdaptationOptions
{
    /// <summary>Optimizer steps; the images are cycled (with augmentation) until they are taken.</summary>
    public int Steps { get; init; } = 60;

    /// <summary>Peak learning rate of the run's one-cycle schedule.</summary>
    public double LearningRate { get; init; } = 5e-4;

    /// <summary>Images per step (fewer when fewer images are given).</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>
    /// Keeps the batch-norm statistics of the reader being adapted: a few images of one hand are too few to estimate
    /// them, and re-estimating them would change how the reader sees every other hand.
    /// </summary>
    public bool FreezeBatchNorm { get; init; } = true;

    internal void Validate()
    {
        if (Steps <= 0)
            throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "TextAdaptationOptions.Steps must be positive.");
        if (BatchSize < 2)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "TextAdaptationOptions.BatchSize must be at least 2.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "TextAdaptationOptions.LearningRate must be positive and finite.");
    }
}
