namespace Hcr.MLNet.Imaging;

/// <summary>
/// Step 4: where the ink is. Otsu's threshold on the corrected image gives a mask used only to find
/// the ink (its bounds, its stroke width, its level); the output keeps the grey levels. Specks are
/// connected pieces far smaller than the character's largest stroke, and are dropped.
/// </summary>
internal static class InkDetection
{
    /// <summary>Pixels at or above Otsu's threshold of <paramref name="image"/>.</summary>
    public static bool[] Threshold(GreyImage image, out float threshold)
    {
        float t = Statistics.Otsu(image.Data);
        threshold = t;
        return Array.ConvertAll(image.Data, v => v >= t);
    }

    /// <summary>
    /// Whether the mask marks real ink: the ink stands out from the background's noise (four standard
    /// deviations of the pixels outside the mask) and is at least <paramref name="minimumContrast"/> grey
    /// levels above the background; or, fainter, at least <see cref="FaintContrastFraction"/> of that,
    /// when it also lies <see cref="FaintInkDeviations"/> robust deviations above the whole image's median.
    /// A blank page, a black frame or a uniform grey fails; so does Otsu splitting pure noise in two.
    /// </summary>
    /// <remarks>
    /// The faint case is for small pencil photos (say 36×27 px, the pencil 40 to 55 grey levels darker
    /// than the paper): thin anti-aliased strokes leave the ink mask's mean 15 to 24 levels above the
    /// background, under the 24 a marker easily clears. Otsu splitting blank, noisy paper gives a mean
    /// difference of that size too once the noise is strong, but no more than 3 robust deviations (median
    /// absolute deviation of every pixel, which ink covering less than half the image hardly moves) above
    /// the median, where faint real ink lies 4 to 13 above it (measured on <c>HardPhotoTests</c>' drawings).
    /// </remarks>
    public static bool HasInk(GreyImage image, bool[] mask, float minimumContrast)
    {
        double inkSum = 0, backSum = 0, backSquares = 0;
        int inkCount = 0, backCount = 0;
        for (int i = 0; i < mask.Length; i++)
        {
            float v = image.Data[i];
            if (mask[i])
            {
                inkSum += v;
                inkCount++;
            }
            else
            {
                backSum += v;
                backSquares += v * (double)v;
                backCount++;
            }
        }
        if (inkCount == 0 || backCount == 0)
            return false;
        double ink = inkSum / inkCount, back = backSum / backCount;
        double noise = Math.Sqrt(Math.Max(0, backSquares / backCount - back * back));
        double contrast = ink - back;
        if (contrast < NoiseDeviations * noise || contrast < FaintContrastFraction * minimumContrast)
            return false;
        if (contrast >= minimumContrast)
            return true;
        float median = Statistics.Median((float[])image.Data.Clone());
        float[] deviations = Array.ConvertAll(image.Data, v => Math.Abs(v - median));
        // 1.4826 × MAD is the standard deviation of normal noise; at least one grey level, for quantised flat images.
        double deviation = Math.Max(1, MadToDeviation * Statistics.Median(deviations));
        return ink - median >= FaintInkDeviations * deviation;
    }

    /// <summary>How many of the background's standard deviations the ink must stand above it.</summary>
    internal const double NoiseDeviations = 4;

    /// <summary>Ink fainter than the minimum contrast, down to this fraction of it, may still count (see <see cref="HasInk"/>).</summary>
    internal const double FaintContrastFraction = 0.5;

    /// <summary>How many robust deviations above the image's median faint ink must lie (blank paper: at most 3, measured).</summary>
    internal const double FaintInkDeviations = 3.5;

    private const double MadToDeviation = 1.4826;

    /// <summary>
    /// The mask grown (8-connected) into neighbouring pixels at or above <paramref name="low"/>:
    /// hysteresis thresholding. Otsu's level, set by the darkest strokes, can cut a thin faint stroke whose
    /// anti-aliased pixels each hold half its darkness (the stem of a small pencil L, leaving its foot);
    /// pixels joined to sure ink by a path of likely ink are ink too.
    /// </summary>
    public static bool[] Grow(GreyImage image, bool[] mask, float low)
    {
        int width = image.Width, height = image.Height;
        var grown = (bool[])mask.Clone();
        var stack = new Stack<int>();
        for (int i = 0; i < grown.Length; i++)
        {
            if (grown[i])
                stack.Push(i);
        }
        while (stack.Count > 0)
        {
            int p = stack.Pop(), px = p % width, py = p / width;
            for (int dy = -1; dy <= 1; dy++)
            {
                for (int dx = -1; dx <= 1; dx++)
                {
                    int x = px + dx, y = py + dy;
                    if (x < 0 || y < 0 || x >= width || y >= height)
                        continue;
                    int q = y * width + x;
                    if (!grown[q] && image.Data[q] >= low)
                    {
                        grown[q] = true;
                        stack.Push(q);
                    }
                }
            }
        }
        return grown;
    }

    /// <summary>
    /// The lower threshold for <see cref="Grow"/>: halfway from the mean of the pixels outside
    /// <paramref name="mask"/> to Otsu's <paramref name="threshold"/>.
    /// </summary>
    public static float GrowthThreshold(GreyImage image, bool[] mask, float threshold)
    {
        double sum = 0;
        int count = 0;
        for (int i = 0; i < mask.Length; i++)
        {
            if (!mask[i])
            {
                sum += image.Data[i];
                count++;
            }
        }
        float back = count == 0 ? 0 : (float)(sum / count);
        return (back + threshold) / 2;
    }

    /// <summary>
    /// The mask without specks: 8-connected pieces smaller than <paramref name="speckFraction"/> of the
    /// largest piece. The dot of an i or j (a tenth or more of the stem) stays; dust and noise go.
    /// </summary>
    public static bool[] RemoveSpecks(bool[] mask, int width, int height, double speckFraction)
    {
        InkComponents pieces = InkComponents.Find(mask, width, height);
        if (pieces.Pieces.Count == 0)
            return mask;
        double minimum = speckFraction * pieces.Pieces.Max(p => p.Size);
        return pieces.Mask(p => p.Size >= minimum);
    }

    /// <summary>
    /// The mask without shadow regions: pieces that reach the image's edge and are far thicker than the
    /// strokes of the pieces that do not (their deepest pixel over <see cref="ShadowThickness"/> stroke
    /// widths from the background). Paper in a shadow that is narrower than the background's window is
    /// not taken for background, so it comes out of the correction as a wide bright region; it reaches
    /// the edge because shadows fall from outside the page, and no stroke is that thick. When every piece
    /// reaches the edge (a tight crop) there are no strokes to compare with, and nothing is removed.
    /// </summary>
    public static bool[] RemoveShadows(bool[] mask, int width, int height)
    {
        InkComponents pieces = InkComponents.Find(mask, width, height);
        bool[] inner = pieces.Mask(p => !pieces.TouchesBorder(p));
        double stroke = StrokeWidth.Estimate(inner, width, height);
        if (stroke <= 0)
            return mask;
        // The distance of each ink pixel to the nearest background pixel (half the local thickness).
        int[] depth = ChessboardDistance(Array.ConvertAll(mask, m => !m), width, height);
        var deepest = new int[pieces.Pieces.Count + 1];
        for (int i = 0; i < mask.Length; i++)
            deepest[pieces.Labels[i]] = Math.Max(deepest[pieces.Labels[i]], depth[i]);
        double limit = Math.Max(MinimumShadowDepth, ShadowThickness * stroke / 2);
        return pieces.Mask(p => !(pieces.TouchesBorder(p) && deepest[p.Label] > limit));
    }

    /// <summary>A shadow region is this many times thicker than the strokes, or more (a stroke's depth is half its width).</summary>
    internal const double ShadowThickness = 3;

    /// <summary>... and at least this deep, in pixels, so that small images' strokes are never taken for shadow.</summary>
    private const int MinimumShadowDepth = 4;

    /// <summary>The smallest rectangle holding every marked pixel, or null when none is.</summary>
    public static InkBox? Bounds(bool[] mask, int width, int height)
    {
        int left = width, top = height, right = -1, bottom = -1;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                if (!mask[y * width + x])
                    continue;
                left = Math.Min(left, x);
                right = Math.Max(right, x);
                top = Math.Min(top, y);
                bottom = Math.Max(bottom, y);
            }
        }
        return right < 0 ? null : InkBox.FromEdges(left, top, right + 1, bottom + 1);
    }

    /// <summary>
    /// Ink intensities in 0..1: the background's noise floor maps to 0 and the typical (median) ink
    /// level to 1, brighter ink saturating, so a faint pencil and a marker end up alike while the soft
    /// edges keep their grey levels. Pixels farther than <paramref name="reach"/> from kept ink (removed
    /// specks, background) become 0.
    /// </summary>
    public static GreyImage InkLevels(GreyImage image, bool[] kept, int reach)
    {
        int width = image.Width, height = image.Height;
        int[] distance = ChessboardDistance(kept, width, height);

        var inkValues = new int[256];
        double backSum = 0, backSquares = 0;
        int backCount = 0;
        for (int i = 0; i < kept.Length; i++)
        {
            if (kept[i])
            {
                inkValues[Math.Clamp((int)image.Data[i], 0, 255)]++;
            }
            else if (distance[i] > 2 * reach)
            {
                // Only pixels well away from ink measure the noise: the strokes' soft edges are not noise.
                backSum += image.Data[i];
                backSquares += image.Data[i] * (double)image.Data[i];
                backCount++;
            }
        }
        float floor = 0;
        if (backCount > 0)
        {
            double mean = backSum / backCount;
            floor = (float)(mean + 2 * Math.Sqrt(Math.Max(0, backSquares / backCount - mean * mean)));
        }
        float level = Math.Max(1, Statistics.HistogramPercentile(inkValues, 0.5));
        floor = Math.Min(floor, level / 2);
        var result = new GreyImage(width, height);
        for (int i = 0; i < kept.Length; i++)
            result.Data[i] = distance[i] <= reach ? Math.Clamp((image.Data[i] - floor) / (level - floor), 0f, 1f) : 0f;
        return result;
    }

    /// <summary>
    /// Each pixel's distance to the nearest marked pixel in the chessboard metric (the side of the
    /// smallest square around it that reaches one): two raster passes. Pixels within d of the mark are
    /// exactly those a (2d+1)-square dilation of it covers.
    /// </summary>
    internal static int[] ChessboardDistance(bool[] mask, int width, int height)
    {
        const int far = int.MaxValue / 2;
        var d = new int[mask.Length];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x;
                if (mask[i])
                {
                    d[i] = 0;
                    continue;
                }
                int best = far;
                if (x > 0) best = Math.Min(best, d[i - 1] + 1);
                if (y > 0)
                {
                    best = Math.Min(best, d[i - width] + 1);
                    if (x > 0) best = Math.Min(best, d[i - width - 1] + 1);
                    if (x < width - 1) best = Math.Min(best, d[i - width + 1] + 1);
                }
                d[i] = best;
            }
        }
        for (int y = height - 1; y >= 0; y--)
        {
            for (int x = width - 1; x >= 0; x--)
            {
                int i = y * width + x, best = d[i];
                if (x < width - 1) best = Math.Min(best, d[i + 1] + 1);
                if (y < height - 1)
                {
                    best = Math.Min(best, d[i + width] + 1);
                    if (x < width - 1) best = Math.Min(best, d[i + width + 1] + 1);
                    if (x > 0) best = Math.Min(best, d[i + width - 1] + 1);
                }
                d[i] = best;
            }
        }
        return d;
    }

    /// <summary>The intensity-weighted centre of <paramref name="ink"/>, in pixel coordinates (a pixel's centre is at +0.5).</summary>
    public static (double X, double Y) CenterOfMass(GreyImage ink)
    {
        double sum = 0, sx = 0, sy = 0;
        for (int y = 0; y < ink.Height; y++)
        {
            for (int x = 0; x < ink.Width; x++)
            {
                float v = ink[x, y];
                sum += v;
                sx += v * (x + 0.5);
                sy += v * (y + 0.5);
            }
        }
        return sum > 0 ? (sx / sum, sy / sum) : (ink.Width / 2.0, ink.Height / 2.0);
    }
}
