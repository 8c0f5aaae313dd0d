namespace Hcr.MLNet.Training;

/// <summary>
/// Random distortions applied to each training batch with tensor operations, so that the network
/// learns handwriting rather than the training images: rotation, scale, shear, translation, and for
/// <see cref="Strong"/> also elastic distortion and stroke-width changes.
/// </summary>
public enum AugmentationLevel
{
    /// <summary>The images as they are.</summary>
    None,

    /// <summary>Rotation ±8°, scale ±8%, shear ±0.1, translation ±1.5 pixels.</summary>
    Light,

    /// <summary>Rotation ±12°, scale ±12% (±6% aspect), shear ±0.2, translation ±2 pixels, elastic distortion, thinner or thicker strokes.</summary>
    Strong,
}
