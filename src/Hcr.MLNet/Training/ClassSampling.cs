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
}
