namespace Hcr.MLNet.Training;

/// <summary>How each epoch draws its training images.</summary>
public enum ClassSampling
{
    /// <summary>Every image once per epoch, in random order: classes weigh as much as they are frequent.</summary>
    Natural,

    /// <summary>
    /// Every class equally often (an epoch still has as many images as the data): rare classes are
    /// repeated and frequent ones sub-sampled. Right for unbalanced data such as ByMerge when every
    /// character matters equally (macro accuracy, EMNIST Balanced).
    /// </summary>
    Balanced,

    /// <summary>
    /// Every image once per epoch, as <see cref="Natural"/>, with the loss made balanced instead of the
    /// draw: the log of each class's share of the training images is added to the network's outputs in
    /// the loss only (logit adjustment, Menon et al. 2021), so the trained network scores as if every
    /// class were equally frequent while frequent classes still contribute all their variety.
    /// </summary>
    LogitAdjusted,
}
