namespace Hcr.MLNet;

/// <summary>
/// How <see cref="HandwritingTextReaderBuilder.StartingFrom"/> adapts a trained reader to new images (typically a handful
/// of one person's words): a short run from the reader's weights, at a low learning rate, that keeps its alphabet.
/// Learning rate and batch size are set on the builder, like any run's; <c>StartingFrom</c> sets their starting values.
/// </summary>
/// <remarks>
/// The defaults were chosen on the protocol's validation writers, never on the writers the figures are reported on
/// (docs/text-reader-protocol.md): a learning rate a few times below training's, so that a few words move the network
/// towards one hand without forgetting the others, and enough steps that every image is seen many times under
/// augmentation.
/// </remarks>
public sealed class TextAdaptationOptions
{
    /// <summary>Optimizer steps; the images are cycled (with augmentation) until they are taken.</summary>
    public int Steps { get; init; } = 240;

    /// <summary>The peak learning rate <see cref="HandwritingTextReaderBuilder.StartingFrom"/> starts from (<see cref="HandwritingTextReaderBuilder.WithLearningRate"/> changes it).</summary>
    internal const double DefaultLearningRate = 5e-4;

    /// <summary>The batch size <see cref="HandwritingTextReaderBuilder.StartingFrom"/> starts from (<see cref="HandwritingTextReaderBuilder.WithBatchSize"/> changes it).</summary>
    internal const int DefaultBatchSize = 16;

    /// <summary>
    /// Keeps the batch-norm statistics of the reader being adapted: a few images of one hand are too few to estimate
    /// them, and re-estimating them would change how the reader sees every other hand.
    /// </summary>
    public bool FreezeBatchNorm { get; init; } = true;

    internal void Validate()
    {
        if (Steps <= 0)
            throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "TextAdaptationOptions.Steps must be positive.");
    }
}
