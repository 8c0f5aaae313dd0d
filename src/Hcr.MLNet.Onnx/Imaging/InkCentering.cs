namespace Hcr.MLNet.Imaging;

/// <summary>Which point of the character goes to the centre of the 28×28 tile.</summary>
public enum InkCentering
{
    /// <summary>The centre of the ink's bounding box, as EMNIST does it (measured on real tiles; see docs/photos.md).</summary>
    BoundingBox,

    /// <summary>The ink's intensity-weighted centre of mass, as MNIST does it; a lopsided character may then touch the tile's edge.</summary>
    CenterOfMass,
}
