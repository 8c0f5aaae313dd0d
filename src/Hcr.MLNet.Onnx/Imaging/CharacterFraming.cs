namespace Hcr.MLNet.Imaging;

/// <summary>
/// Step 5: geometry. The character is scaled by one factor in both directions (its aspect ratio kept)
/// and placed in a square frame with a chosen point (the ink box's centre or the ink's centre of mass)
/// at the frame's centre. Resampling is separable with a triangle filter as wide
/// as a source pixel or an output pixel, whichever is larger: bilinear when enlarging, an area-like
/// average when shrinking, so no detail aliases.
/// </summary>
internal static class CharacterFraming
{
    /// <summary>
    /// A <paramref name="frameSize"/>-pixel square of <paramref name="ink"/> enlarged <paramref name="scale"/> times,
    /// source point <paramref name="center"/> (pixel-edge coordinates) at the frame's centre.
    /// </summary>
    public static GreyImage Frame(GreyImage ink, (double X, double Y) center, double scale, int frameSize)
    {
        double origin = frameSize / 2.0;
        (int first, float[] weights, int taps)[] columns = Weights(frameSize, scale, center.X, origin, ink.Width);
        (int first, float[] weights, int taps)[] rows = Weights(frameSize, scale, center.Y, origin, ink.Height);

        // Horizontal pass over every source row, then vertical.
        var horizontal = new float[ink.Height * frameSize];
        for (int y = 0; y < ink.Height; y++)
        {
            for (int x = 0; x < frameSize; x++)
            {
                (int first, float[] w, int taps) = columns[x];
                float sum = 0;
                for (int k = 0; k < taps; k++)
                    sum += w[k] * ink[first + k, y];
                horizontal[y * frameSize + x] = sum;
            }
        }
        var result = new GreyImage(frameSize, frameSize);
        for (int y = 0; y < frameSize; y++)
        {
            (int first, float[] w, int taps) = rows[y];
            for (int x = 0; x < frameSize; x++)
            {
                float sum = 0;
                for (int k = 0; k < taps; k++)
                    sum += w[k] * horizontal[(first + k) * frameSize + x];
                result[x, y] = sum;
            }
        }
        return result;
    }

    /// <summary>
    /// For each output index, the source indices (clipped to the image) and their weights. Output pixel
    /// i's centre (i + 0.5) maps to source position <paramref name="center"/> + (i + 0.5 − <paramref name="origin"/>) / scale.
    /// Weights are normalised over the full filter, so what lies outside the image counts as background.
    /// </summary>
    internal static (int First, float[] Weights, int Taps)[] Weights(int outputSize, double scale, double center, double origin, int sourceSize)
    {
        double support = Math.Max(1.0, 1.0 / scale);
        var result = new (int, float[], int)[outputSize];
        for (int i = 0; i < outputSize; i++)
        {
            double u = center + (i + 0.5 - origin) / scale;
            int from = (int)Math.Floor(u - support - 0.5), to = (int)Math.Ceiling(u + support - 0.5);
            double total = 0;
            for (int s = from; s <= to; s++)
                total += Math.Max(0, 1 - Math.Abs(s + 0.5 - u) / support);
            int first = Math.Max(0, from), last = Math.Min(sourceSize - 1, to);
            int taps = Math.Max(0, last - first + 1);
            var weights = new float[Math.Max(1, taps)];
            for (int s = first; s <= last; s++)
                weights[s - first] = total > 0 ? (float)(Math.Max(0, 1 - Math.Abs(s + 0.5 - u) / support) / total) : 0f;
            result[i] = (Math.Min(first, sourceSize - 1), weights, taps);
        }
        return result;
    }

    /// <summary>Averages each <paramref name="factor"/>×<paramref name="factor"/> block: the final step from the working frame to the 28×28 tile.</summary>
    public static GreyImage Shrink(GreyImage image, int factor)
    {
        int width = image.Width / factor, height = image.Height / factor;
        var result = new GreyImage(width, height);
        float area = factor * factor;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                float sum = 0;
                for (int dy = 0; dy < factor; dy++)
                {
                    for (int dx = 0; dx < factor; dx++)
                        sum += image[x * factor + dx, y * factor + dy];
                }
                result[x, y] = sum / area;
            }
        }
        return result;
    }
}
