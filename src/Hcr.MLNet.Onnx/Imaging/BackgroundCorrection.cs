namespace Hcr.MLNet.Imaging;

/// <summary>
/// Step 3: uneven lighting. On an ink-positive image (ink bright) the background is the large-scale
/// floor under the strokes: a grey-level opening (minimum, then maximum, over a window wider than any
/// stroke) removes the strokes and keeps the floor, shading and gradients included; it is then
/// smoothed, held to the full-resolution opening at hard shadow edges, and subtracted. A linear
/// lighting ramp comes out of the opening exactly.
/// </summary>
internal static class BackgroundCorrection
{
    /// <summary>
    /// The opening's window: <paramref name="fraction"/> of the image's long side, but at least three
    /// stroke widths (a stroke must fit in the window to be removed from the estimate) and at most half the long side.
    /// </summary>
    public static int Window(GreyImage image, double fraction, double strokeWidth)
    {
        int longSide = Math.Max(image.Width, image.Height);
        double window = Math.Max(fraction * longSide, 3 * strokeWidth);
        return (int)Math.Clamp(Math.Round(window), 3, Math.Max(3, longSide / 2));
    }

    /// <summary>
    /// The background under ink-positive <paramref name="image"/>, estimated with a <paramref name="window"/>-pixel opening,
    /// smooth where the lighting is smooth and following hard shadow edges where it is not.
    /// </summary>
    /// <remarks>
    /// The smooth estimate (an opening of cell means, then a box mean) spreads a hard shadow edge over a
    /// cell and half a window: on the shadowed side it falls short of the paper, and the difference, a band
    /// along the edge, became ink (a 7 read as r). The same opening at full resolution follows any straight
    /// edge exactly (an opening keeps every region a window fits in), but is blocky and sits a few noise
    /// deviations low, as a minimum over noisy pixels does. So the smooth estimate is kept between the two
    /// bounds the full-resolution opening gives: never below it (the shadowed side), and never more than its
    /// usual distance above it (the lit side, where the smooth estimate would rise above the paper and erase
    /// strokes near the edge). On evenly lit paper the smooth estimate already lies between them.
    /// </remarks>
    public static GreyImage EstimateBackground(GreyImage image, int window)
    {
        GreyImage smooth = SmoothBackground(image, window);
        int radius = Math.Max(1, window / 2);
        // On the image extended by copies of its edge pixels: with the window clipped at the border instead, a shadow
        // edge that meets the border at a slant is eroded away near it, and the part of the shadow between the edge and
        // the border came out of the subtraction as a wedge of "ink" touching the border.
        GreyImage padded = Filters.PadWithEdges(image, radius);
        GreyImage exact = Filters.Crop(Filters.Opening(padded, radius), radius, radius, image.Width, image.Height);
        // The usual distance of the smooth estimate above the exact opening: noise, mostly.
        float[] above = new float[smooth.Data.Length];
        for (int i = 0; i < above.Length; i++)
            above[i] = Math.Max(0f, smooth.Data[i] - exact.Data[i]);
        float slack = EdgeSlackFactor * Statistics.Median(above) + EdgeSlackLevels;
        var result = new GreyImage(image.Width, image.Height);
        for (int i = 0; i < result.Data.Length; i++)
            result.Data[i] = Math.Clamp(smooth.Data[i], exact.Data[i], exact.Data[i] + slack);
        return result;
    }

    /// <summary>How far above the exact opening the smooth estimate may lie, as a multiple of its median distance above it ...</summary>
    private const float EdgeSlackFactor = 2;

    /// <summary>... plus this many grey levels (for images without noise, where that median is 0).</summary>
    private const float EdgeSlackLevels = 2;

    /// <summary>The opening of cell means, smoothed: even out gradients and shading without following the noise.</summary>
    private static GreyImage SmoothBackground(GreyImage image, int window)
    {
        // The estimate is smooth on the window's scale, so it is computed on a grid of cells a sixteenth
        // of the window wide (cell means), which also averages the noise, and interpolated back.
        int cell = Math.Max(1, window / 16);
        GreyImage small = cell > 1 ? Filters.ShrinkByCells(image, cell) : image;
        int radius = Math.Max(1, window / cell / 2);
        GreyImage opened = Filters.Opening(small, radius);
        // The opening is blocky (flat plateaus with steps); a mean over half the window smooths the steps.
        GreyImage smooth = Filters.BoxMean(opened, Math.Max(1, radius / 2));
        return cell > 1 ? Filters.EnlargeCells(smooth, cell, image.Width, image.Height) : smooth;
    }

    /// <summary>The image less its background, never below zero.</summary>
    public static GreyImage Subtract(GreyImage image, GreyImage background)
    {
        var result = new GreyImage(image.Width, image.Height);
        for (int i = 0; i < result.Data.Length; i++)
            result.Data[i] = Math.Max(0f, image.Data[i] - background.Data[i]);
        return result;
    }
}
