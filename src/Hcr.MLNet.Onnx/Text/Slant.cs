using Hcr.MLNet.Imaging;

namespace Hcr.MLNet.Text;

/// <summary>
/// Slant correction of a handwritten line: hands lean their vertical strokes by up to about 35° either way, and a
/// network trained on a few hands reads other slants badly. The slant is the horizontal shear that piles the ink into
/// the fewest, tallest columns (the largest sum of squared column counts of the sheared ink), searched over
/// <see cref="Candidates"/>. Vinciarelli and Luettin's stricter criterion, which counts only columns whose ink is one
/// unbroken run, was tried first: rounding the sheared x breaks runs of thin strokes, and it then preferred no shear.
/// </summary>
internal static class Slant
{
    /// <summary>Largest shear tried, either way: tan 35°, beyond which handwriting is rare and the criterion drifts to flourishes.</summary>
    private const double MaxShear = 0.7;

    private const double ShearStep = 0.05;

    /// <summary>The shears tried: x moves by shear·(y − centre), so a right-leaning hand needs a positive one.</summary>
    private static readonly double[] Candidates = Enumerable.Range(0, (int)Math.Round(2 * MaxShear / ShearStep) + 1)
        .Select(i => Math.Round(-MaxShear + i * ShearStep, 2)).ToArray();

    /// <summary>The shear that sets the ink of <paramref name="mask"/> upright (0 for ink with no clear slant).</summary>
    public static double Estimate(bool[] mask, int width, int height, double centreY)
    {
        var xs = new List<int>();
        var ys = new List<int>();
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                if (mask[y * width + x])
                {
                    xs.Add(x);
                    ys.Add(y);
                }
            }
        }
        if (xs.Count == 0)
            return 0;
        int span = width + (int)Math.Ceiling(MaxShear * height) * 2 + 2;
        int offset = span / 2 - width / 2;
        var count = new double[span];
        double best = double.NegativeInfinity, bestShear = 0;
        foreach (double shear in Candidates)
        {
            Array.Clear(count);
            for (int i = 0; i < xs.Count; i++)
            {
                // Split between the two nearest columns: rounding instead aliases at shears like ±0.5, where
                // whole rows land on half columns, and makes false peaks there.
                double position = offset + xs[i] + shear * (ys[i] - centreY);
                int column = (int)Math.Floor(position);
                double fraction = position - column;
                count[column] += 1 - fraction;
                count[column + 1] += fraction;
            }
            double score = 0;
            for (int c = 0; c < span; c++)
            {
                score += count[c] * count[c];
            }
            // Strictly better, or as good and more upright: upright ink keeps shear 0.
            if (score > best || (score == best && Math.Abs(shear) < Math.Abs(bestShear)))
            {
                best = score;
                bestShear = shear;
            }
        }
        return bestShear;
    }

    /// <summary>The leftmost and rightmost x of the ink of <paramref name="mask"/> after the shear.</summary>
    public static (double Left, double Right) ShearedExtent(bool[] mask, int width, int height, double shear, double centreY)
    {
        double left = double.PositiveInfinity, right = double.NegativeInfinity;
        for (int y = 0; y < height; y++)
        {
            double shift = shear * (y - centreY);
            for (int x = 0; x < width; x++)
            {
                if (mask[y * width + x])
                {
                    left = Math.Min(left, x + shift);
                    right = Math.Max(right, x + shift + 1);
                }
            }
        }
        return double.IsInfinity(left) ? (0, width) : (left, right);
    }

    /// <summary>
    /// The region <paramref name="left"/>…+<paramref name="width"/> × <paramref name="top"/>…+<paramref name="height"/>
    /// of the sheared image: each pixel (x, y) the source at x − shear·(y − centre), linearly interpolated, paper (0) outside.
    /// </summary>
    public static GreyImage Shear(GreyImage source, int left, int width, int top, int height, double shear, double centreY)
    {
        var result = new GreyImage(Math.Max(1, width), Math.Max(1, height));
        for (int y = 0; y < result.Height; y++)
        {
            int sy = top + y;
            double shift = shear * (sy - centreY);
            int row = sy * source.Width;
            for (int x = 0; x < result.Width; x++)
            {
                double sx = left + x - shift;
                int x0 = (int)Math.Floor(sx);
                double f = sx - x0;
                float a = x0 >= 0 && x0 < source.Width ? source.Data[row + x0] : 0f;
                float b = x0 + 1 >= 0 && x0 + 1 < source.Width ? source.Data[row + x0 + 1] : 0f;
                result.Data[y * result.Width + x] = (float)(a * (1 - f) + b * f);
            }
        }
        return result;
    }
}
