namespace Hcr.MLNet.Imaging;

/// <summary>
/// Step 6: stroke width. A stroke of width w and length L has area w·L and perimeter about 2·L, so
/// w ≈ 2·area / perimeter. The perimeter is counted as ink/background pixel edges, which overstates a
/// curve's length by 4/π on average over directions; multiplying by π/4 corrects that.
/// </summary>
internal static class StrokeWidth
{
    /// <summary>The mean stroke width of the marked pixels, in pixels; 0 when nothing is marked.</summary>
    public static double Estimate(bool[] mask, int width, int height)
    {
        long area = 0, edges = 0;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                if (!mask[y * width + x])
                    continue;
                area++;
                // Outside the image counts as background.
                if (x == 0 || !mask[y * width + x - 1]) edges++;
                if (x == width - 1 || !mask[y * width + x + 1]) edges++;
                if (y == 0 || !mask[(y - 1) * width + x]) edges++;
                if (y == height - 1 || !mask[(y + 1) * width + x]) edges++;
            }
        }
        return edges == 0 ? 0 : 2.0 * area / (edges * Math.PI / 4);
    }

    /// <summary>
    /// The disc radius, in pixels, that brings a stroke width of <paramref name="ratio"/> times the
    /// character's long side <paramref name="longSide"/> into [<paramref name="minimum"/>, <paramref name="maximum"/>]
    /// (dilation widens a stroke by twice the radius, erosion narrows it): positive to thicken, negative
    /// to thin, 0 inside the range. Thinning stops short of erasing the strokes, at a third of their width.
    /// </summary>
    public static int AdjustmentRadius(double ratio, double longSide, double minimum, double maximum)
    {
        if (ratio <= 0 || longSide <= 0)
            return 0;
        double radius = (Math.Clamp(ratio, minimum, maximum) - ratio) * longSide / 2;
        radius = Math.Max(radius, -ratio * longSide / 3);
        return (int)Math.Round(radius, MidpointRounding.AwayFromZero);
    }
}
