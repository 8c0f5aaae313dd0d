namespace Hcr.MLNet.Imaging;

/// <summary>
/// Where a character sits in a 28×28 tile and how large it is, measured as EMNIST's conversion frames
/// it: EMNIST blurs the character, takes the region its ink reaches, centres that region and scales
/// its long side to a fixed size. Measured on real tiles, the extent of the ink (above 5% of the peak,
/// on a 4× bilinear enlargement for sub-pixel precision) is centred at (14, 14) and 24.75 pixels long
/// in half the tiles, with a narrow spread; the half-intensity box is not (20.5 to 23.75 pixels, 10th
/// to 90th percentile), because EMNIST's edges are softer in some tiles than others.
/// </summary>
internal static class TileGeometry
{
    /// <summary>The fraction of the peak above which a pixel counts as reached by ink.</summary>
    public const float ExtentLevel = 0.05f;

    /// <summary>The tile's centre, in pixel-edge coordinates.</summary>
    public const double Center = NormalizedCharacter.Size / 2.0;

    /// <summary>The ink's extent in a tile (values of any scale): its box's centre and long side, in tile pixels; null for an empty tile.</summary>
    public static (double CenterX, double CenterY, double LongSide)? Extent(GreyImage tile)
    {
        const int factor = 4;
        GreyImage large = CharacterFraming.Frame(tile, (tile.Width / 2.0, tile.Height / 2.0), factor, tile.Width * factor);
        float peak = large.Data.Max();
        if (peak <= 0)
            return null;
        InkBox? box = InkDetection.Bounds(Array.ConvertAll(large.Data, v => v >= ExtentLevel * peak), large.Width, large.Height);
        return box is InkBox b ? (b.CenterX / factor, b.CenterY / factor, b.LongSide / (double)factor) : null;
    }

    /// <summary>
    /// The stroke width as a fraction of the character's size: the width (<see cref="StrokeWidth.Estimate(bool[], int, int)"/>)
    /// of the half-peak mask over the long side of that mask's box, the measure EMNIST's range is given in;
    /// and that long side, in pixels of <paramref name="image"/>. Both 0 for an empty image.
    /// </summary>
    public static (double Ratio, int LongSide) StrokeRatio(GreyImage image)
    {
        float peak = image.Data.Max();
        if (peak <= 0)
            return (0, 0);
        float half = 0.5f * peak;
        bool[] mask = Array.ConvertAll(image.Data, v => v >= half);
        InkBox? box = InkDetection.Bounds(mask, image.Width, image.Height);
        return box is InkBox b ? (StrokeWidth.Estimate(mask, image.Width, image.Height) / b.LongSide, b.LongSide) : (0, 0);
    }
}
