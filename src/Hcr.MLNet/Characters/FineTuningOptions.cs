namespace Hcr.MLNet;

/// <summary>
/// How <see cref="HandwritingRecognizerBuilder.StartingFrom"/> fine-tunes: which layers learn. Epochs, batch size
/// and learning rate are set on the builder, like any training run's (<see cref="HandwritingRecognizerBuilder.WithEpochs"/>,
/// …); <c>StartingFrom</c> sets their fine-tuning starting values.
/// </summary>
public sealed class FineTuningOptions
{
    /// <summary>
    /// Train only the output layer (one row of weights per class); every other layer, batch-norm statistics
    /// included, keeps the base's values bit for bit. Fastest, and the safest with a handful of images per
    /// class, since the features EMNIST taught cannot be overwritten. Default: false (every layer learns,
    /// starting from the base's weights).
    /// </summary>
    public bool FreezeFeatures { get; init; }

    /// <summary>Epochs <see cref="HandwritingRecognizerBuilder.StartingFrom"/> starts from: your own samples are typically tens per class, so an epoch is a few steps.</summary>
    internal const int DefaultEpochs = 20;

    /// <summary>Batch size <see cref="HandwritingRecognizerBuilder.StartingFrom"/> starts from, smaller than from scratch so that small data still gives several steps per epoch.</summary>
    internal const int DefaultBatchSize = 32;

    /// <summary>The learning rate fine-tuning starts from: 3e-4 when every layer learns, 3e-3 when only the output layer does.</summary>
    internal double DefaultLearningRate => FreezeFeatures ? 3e-3 : 3e-4;
}
