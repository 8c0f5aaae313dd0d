using Hcr.MLNet.Imaging;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Text;

/// <summary>
/// Turns a photo or scan of one handwritten word or line into a <see cref="NormalizedLine"/>, with the character
/// pipeline's steps (<see cref="InkNormalizer"/>): grey → polarity from the border → denoise and lighting correction
/// (an opening) → Otsu ink mask, no-ink check, specks left out of the crop → slant correction (<see cref="Slant"/>) →
/// crop to the ink with a margin → scale to the strip's height, keeping the aspect ratio. Grey levels are kept (not the mask): thin or faint strokes stay
/// visible, and the network, not a threshold, decides what they are.
/// </summary>
internal static class LineNormalizer
{
    /// <summary>Long side the image is shrunk to before analysis: enough for a line of about 60 characters at 32 pixels high.</summary>
    public const int MaxAnalysisSide = 2048;

    /// <summary>
    /// Margin kept around the ink box, as a fraction of its height: umlaut dots and i dots, which the speck filter
    /// may leave out of the box (they are small beside a joined word), lie within it.
    /// </summary>
    private const double Margin = 0.12;

    /// <summary>Ink at this percentile of the inked pixels maps to 1, so that a pale pen and a dark one look alike.</summary>
    private const double InkLevelPercentile = 0.95;

    /// <summary>A line's clean-up: the median, and lighting judged on the line's height (<see cref="BackgroundWindow"/>).</summary>
    private static readonly InkCleanup LineCleanup = new(StrokesWithoutShadows: false, Denoise: true, BackgroundWindow);

    public static NormalizedLine Normalize(MLImage image, int height, int maxWidth, string source) =>
        Normalize(GreyConversion.ToGrey(image), height, maxWidth, source);

    public static NormalizedLine Normalize(GreyImage original, int height, int maxWidth, string source)
    {
        GreyImage grey = Filters.ShrinkToFit(original, MaxAnalysisSide);
        GreyImage ink = PolarityDetector.ToInkPositive(grey, InkPolarity.Auto);
        (ink, bool[] mask, _, _) = LineCleanup.Clean(ink);
        if (!InkDetection.HasInk(ink, mask, InkCleanup.DefaultMinimumContrast))
            throw UnusableImageException.NoInk(source);
        bool[] kept = InkDetection.RemoveSpecks(mask, ink.Width, ink.Height, InkCleanup.DefaultSpeckFraction);
        InkBox box = InkDetection.Bounds(kept, ink.Width, ink.Height)!.Value;
        double centreY = (box.Top + box.Bottom) / 2.0;
        double slant = Slant.Estimate(kept, ink.Width, ink.Height, centreY);
        // The box of the upright ink: x + slant·(y − centreY), which leaves the centre row where it is.
        (double left, double right) = Slant.ShearedExtent(kept, ink.Width, ink.Height, slant, centreY);
        int margin = (int)Math.Ceiling(Margin * box.Height) + 1;
        int top = Math.Max(0, box.Top - margin), bottom = Math.Min(ink.Height, box.Bottom + margin);
        int cropLeft = (int)Math.Floor(left) - margin, cropRight = (int)Math.Ceiling(right) + margin;
        GreyImage upright = Slant.Shear(ink, cropLeft, cropRight - cropLeft, top, bottom - top, slant, centreY);
        var whole = InkBox.FromEdges(0, 0, upright.Width, upright.Height);

        float level = InkLevel(ink, mask);
        int width = Math.Clamp((int)Math.Round((double)upright.Width * height / upright.Height), TextStrip.WidthStride * 2, maxWidth);
        float[] pixels = Resample(upright, whole, width, height);
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = Math.Min(1f, pixels[i] / level);
        var crop = InkBox.FromEdges(Math.Max(0, cropLeft), top, Math.Min(ink.Width, Math.Max(cropLeft + 1, cropRight)), bottom);

        // The crop in the caller's pixels.
        double sx = (double)original.Width / grey.Width, sy = (double)original.Height / grey.Height;
        var inputCrop = InkBox.FromEdges((int)Math.Floor(crop.Left * sx), (int)Math.Floor(crop.Top * sy),
            Math.Min(original.Width, (int)Math.Ceiling(crop.Right * sx)), Math.Min(original.Height, (int)Math.Ceiling(crop.Bottom * sy)));
        return new NormalizedLine(pixels, width, height, inputCrop);
    }

    /// <summary>
    /// The lighting correction's window for a line: the character pipeline's (a quarter of the long side, at least three
    /// strokes), but no wider than the line is high. A line's paper is judged on the scale of its height, not its length:
    /// on a long line the character window grows to hundreds of pixels, and the opening's cost with it, for no better
    /// estimate of the paper under a few letters. A word no longer than four heights keeps the character window.
    /// </summary>
    internal static int BackgroundWindow(GreyImage ink, double strokeWidth) =>
        Math.Min(BackgroundCorrection.Window(ink, InkCleanup.DefaultBackgroundWindow, strokeWidth),
            Math.Max(ink.Height, (int)Math.Ceiling(3 * strokeWidth)));

    private static float InkLevel(GreyImage ink, bool[] mask)
    {
        float[] inked = ink.Data.Where((_, i) => mask[i]).ToArray();
        return Math.Max(1f, Statistics.Percentile(inked, InkLevelPercentile));
    }

    /// <summary>
    /// The <paramref name="region"/> of <paramref name="image"/> at <paramref name="width"/>×<paramref name="height"/>:
    /// each output pixel the mean of the source area it covers (fractional edges weighted), so that shrinking
    /// averages strokes instead of skipping them and enlarging repeats them.
    /// </summary>
    internal static float[] Resample(GreyImage image, InkBox region, int width, int height)
    {
        double fx = (double)region.Width / width, fy = (double)region.Height / height;
        var result = new float[width * height];
        for (int y = 0; y < height; y++)
        {
            double y0 = region.Top + y * fy, y1 = y0 + fy;
            for (int x = 0; x < width; x++)
            {
                double x0 = region.Left + x * fx, x1 = x0 + fx;
                double sum = 0, area = 0;
                for (int sy = (int)y0; sy < Math.Min(region.Bottom, (int)Math.Ceiling(y1)); sy++)
                {
                    double wy = Math.Min(y1, sy + 1) - Math.Max(y0, sy);
                    for (int sx = (int)x0; sx < Math.Min(region.Right, (int)Math.Ceiling(x1)); sx++)
                    {
                        double w = wy * (Math.Min(x1, sx + 1) - Math.Max(x0, sx));
                        sum += w * image.Data[sy * image.Width + sx];
                        area += w;
                    }
                }
                result[y * width + x] = area > 0 ? (float)(sum / area) : 0f;
            }
        }
        return result;
    }
}
