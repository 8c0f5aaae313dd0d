namespace Hcr.MLNet;

/// <summary>
/// How <see cref="HandwritingRecognizerBuilder.StartingFrom"/> fine-tunes: which layers learn, and the
/// learning rate and length that replace the from-scratch defaults. Those two are starting values only:
/// <see cref="HandwritingRecognizerBuilder.WithTrainerOptions(Action{Training.HandwritingCnnOptions})"/>
/// callbacks and the explicit setters (<see cref="HandwritingRecognizerBuilder.WithEpochs"/>, …) still win.
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

    /// <summary>
    /// Peak learning rate; null picks 3e-4 when every layer learns (a tenth of the from-scratch 3e-3, so that the
    /// pretrained features move little) and the from-scratch 3e-3 when only the output layer does: a new class's
    /// row starts from random weights that must catch up with trained rows in a few dozen steps, and nothing
    /// pretrained can be spoilt by a larger step. Default: null.
    /// </summary>
    public double? LearningRate { get; init; }

    /// <summary>
    /// Passes over the (small) data. Default: 20: your own samples are typically tens per class, so an epoch is
    /// a few steps, and 20 such epochs are still seconds to minutes on a CPU.
    /// </summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Images per step. Default: 32, smaller than from scratch so that small data still gives several steps per epoch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>The learning rate in force: <see cref="LearningRate"/>, or the default for <see cref="FreezeFeatures"/>.</summary>
    internal double EffectiveLearningRate => LearningRate ?? (FreezeFeatures ? 3e-3 : 3e-4);
}
