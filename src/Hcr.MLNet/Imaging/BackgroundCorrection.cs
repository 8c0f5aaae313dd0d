namespace Hcr.MLNet.Imaging;

/// <summary>
/// Step 3: uneven lighting. On an ink-positive image (ink bright) the background is the large-scale
/// floor under the strokes: a grey-level opening (minimum, then maximum, over a window wider than any
/// stroke) removes the strokes and keeps the floor, shading and gradients included; it is then
/// smoothed and subtracted. A linear lighting ramp comes out of the opening exactly.
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

    /// <summary>The background under ink-positive <paramref name="image"/>, estimated with a <paramref name="window"/>-pixel opening.</summary>
    public static GreyImage EstimateBackground(GreyImage image, int window)
    {
        // The estimate is smooth on the window's scale, so it is computed on a grid of cells a sixteenth
        // of the window wide (cell means), which also averages the noise, and interpolated back.
        int cell = Math.Max(1, window / 16);
        GreyImage small = cell > 1 ? Filters.ShrinkByCells(image, cell) : image;
        int radius = Math.Max(1, window / cell / 2);
        GreyImage opened = Filters.SquareExtremum(Filters.SquareExtremum(small, radius, maximum: false), radius, maximum: true);
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
