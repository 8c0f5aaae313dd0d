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
    /// Whether the mask marks real ink: the ink is at least <paramref name="minimumContrast"/> grey levels
    /// above the background, and stands out from the background's noise (four standard deviations).
    /// A blank page, a black frame or a uniform grey fails; so does Otsu splitting pure noise in two.
    /// </summary>
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
        return ink - back >= Math.Max(minimumContrast, 4 * noise);
    }

    /// <summary>
    /// The mask without specks: 8-connected pieces smaller than <paramref name="speckFraction"/> of the
    /// largest piece. The dot of an i or j (a tenth or more of the stem) stays; dust and noise go.
    /// </summary>
    public static bool[] RemoveSpecks(bool[] mask, int width, int height, double speckFraction)
    {
        int[] labels = new int[mask.Length];
        var sizes = new List<int> { 0 };
        // Each pixel is pushed once (labelled when pushed), so the stack never holds more than the image.
        var stack = new int[mask.Length];
        for (int start = 0; start < mask.Length; start++)
        {
            if (!mask[start] || labels[start] != 0)
                continue;
            int label = sizes.Count, size = 0;
            labels[start] = label;
            int top = 0;
            stack[top++] = start;
            while (top > 0)
            {
                int p = stack[--top];
                size++;
                int px = p % width, py = p / width;
                for (int dy = -1; dy <= 1; dy++)
                {
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int x = px + dx, y = py + dy;
                        if (x < 0 || y < 0 || x >= width || y >= height)
                            continue;
                        int q = y * width + x;
                        if (mask[q] && labels[q] == 0)
                        {
                            labels[q] = label;
                            stack[top++] = q;
                        }
                    }
                }
            }
            sizes.Add(size);
        }
        int largest = sizes.Max();
        double minimum = speckFraction * largest;
        return Array.ConvertAll(labels, l => l != 0 && sizes[l] >= minimum);
    }

    /// <summary>The smallest rectangle holding every marked pixel, or null when none is.</summary>
    public static InkRegion? Bounds(bool[] mask, int width, int height)
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
        return right < 0 ? null : new InkRegion(left, top, right + 1, bottom + 1);
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
