using Hcr.MLNet.Imaging;

namespace Hcr.MLNet.Text;

/// <summary>
/// Strips of different widths in one batch: (N, 1, 32, widest), each strip at the left and zeros (paper) after it,
/// with each strip's own number of output positions, so that CTC and decoding ignore the padding.
/// </summary>
internal static class TextBatch
{
    /// <summary>Widest width stretch of the augmentation, either way (±25%): handwriting's letter widths vary that much between hands.</summary>
    private const double MaxStretch = 0.25;

    /// <summary>Widest random shear, either way: the slant correction leaves some lean, and hands lean differently within a word.</summary>
    private const double MaxShear = 0.3;

    /// <summary>Smallest random height of the ink in the strip: crops differ with descenders, dots and the specks the crop left out.</summary>
    private const double MinHeightScale = 0.8;

    /// <summary>Darkest an ink may be scaled to by the augmentation (pale pens, pencil).</summary>
    private const float MinInkGain = 0.6f;

    /// <summary>Chance of each of thicker strokes, thinner strokes, blur and noise: pens, scanners and cameras differ.</summary>
    private const double StrokeChange = 0.2, BlurChance = 0.2, NoiseChance = 0.3;

    /// <summary>Standard deviation of the added noise, in ink units.</summary>
    private const float NoiseLevel = 0.05f;

    /// <summary>The strips of <paramref name="samples"/> (augmented with <paramref name="augment"/> when given), padded as <see cref="Pad"/> pads them.</summary>
    public static (float[] Pixels, int Width, long[] Positions) Strips(IReadOnlyList<NormalizedLine> samples, Random? augment, int maxWidth)
    {
        var strips = new (float[] Pixels, int Width)[samples.Count];
        for (int i = 0; i < samples.Count; i++)
            strips[i] = augment is null ? (samples[i].Pixels, samples[i].Width) : Augment(samples[i], augment, maxWidth);
        return Pad(strips);
    }

    /// <summary>
    /// The strips side by side in one buffer (N × 32 × widest, row-major), each at the left and zeros (paper) after it,
    /// the width rounded up to the stride; and each strip's own number of output positions.
    /// </summary>
    public static (float[] Pixels, int Width, long[] Positions) Pad(IReadOnlyList<(float[] Pixels, int Width)> strips)
    {
        int height = TextStrip.Height;
        // Rounded up to the stride, so that every strip's last columns make a whole position.
        int widest = strips.Max(s => s.Width);
        widest = (widest + TextStrip.WidthStride - 1) / TextStrip.WidthStride * TextStrip.WidthStride;
        var data = new float[strips.Count * height * widest];
        var positions = new long[strips.Count];
        for (int i = 0; i < strips.Count; i++)
        {
            (float[] pixels, int width) = strips[i];
            for (int y = 0; y < height; y++)
                Array.Copy(pixels, y * width, data, (i * height + y) * widest, width);
            positions[i] = Math.Max(1, width / TextStrip.WidthStride);
        }
        return (data, widest, positions);
    }

    /// <summary>
    /// The strip under a random affine warp (width stretch, shear, smaller height at a random offset; bilinear), with
    /// its ink scaled, and at random thicker or thinner strokes, blur and noise.
    /// </summary>
    private static (float[] Pixels, int Width) Augment(NormalizedLine line, Random random, int maxWidth)
    {
        int height = line.Height;
        double stretch = 1 + MaxStretch * (2 * random.NextDouble() - 1);
        double shear = MaxShear * (2 * random.NextDouble() - 1);
        double scaleY = MinHeightScale + (1 - MinHeightScale) * random.NextDouble();
        double offsetY = (1 - scaleY) * height * random.NextDouble();
        float gain = MinInkGain + (1 - MinInkGain) * (float)random.NextDouble();
        double lean = Math.Abs(shear) * height;
        int width = Math.Clamp((int)Math.Round(line.Width * stretch + lean), TextStrip.WidthStride * 2, maxWidth);
        // Scale x so that the stretched, sheared strip fits the width the clamp left.
        double scaleX = (width - lean) / line.Width;
        if (scaleX <= 0)
            scaleX = (double)width / line.Width;
        // The shear moves rows by up to half the lean either way; start the ink half a lean in.
        double offsetX = lean / 2;
        var pixels = new float[height * width];
        for (int y = 0; y < height; y++)
        {
            double sy = (y + 0.5 - offsetY) / scaleY - 0.5;
            double shift = shear * (y + 0.5 - height / 2.0) + offsetX;
            for (int x = 0; x < width; x++)
            {
                double sx = (x + 0.5 - shift) / scaleX - 0.5;
                pixels[y * width + x] = gain * Sample(line, sx, sy);
            }
        }
        double roll = random.NextDouble();
        if (roll < StrokeChange)
            pixels = Neighbourhood(pixels, width, height, Math.Max);
        else if (roll < 2 * StrokeChange)
        {
            float[] thinner = Neighbourhood(pixels, width, height, Math.Min);
            for (int i = 0; i < pixels.Length; i++)
                pixels[i] = 0.5f * (pixels[i] + thinner[i]);
        }
        if (random.NextDouble() < BlurChance)
            pixels = Blur(pixels, width, height);
        if (random.NextDouble() < NoiseChance)
        {
            for (int i = 0; i < pixels.Length; i++)
                pixels[i] = Math.Clamp(pixels[i] + NoiseLevel * Statistics.Gaussian(random), 0f, 1f);
        }
        return (pixels, width);
    }

    private static float Sample(NormalizedLine line, double x, double y)
    {
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
        double fx = x - x0, fy = y - y0;
        return (float)((1 - fy) * ((1 - fx) * Pixel(line, x0, y0) + fx * Pixel(line, x0 + 1, y0))
            + fy * ((1 - fx) * Pixel(line, x0, y0 + 1) + fx * Pixel(line, x0 + 1, y0 + 1)));
    }

    private static float Pixel(NormalizedLine line, int x, int y) =>
        x >= 0 && x < line.Width && y >= 0 && y < line.Height ? line.Pixels[y * line.Width + x] : 0f;

    /// <summary>The 3×3 maximum (thicker strokes) or minimum (thinner) of every pixel.</summary>
    private static float[] Neighbourhood(float[] pixels, int width, int height, Func<float, float, float> pick)
    {
        var result = new float[pixels.Length];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                float value = pixels[y * width + x];
                for (int dy = -1; dy <= 1; dy++)
                {
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int nx = x + dx, ny = y + dy;
                        value = pick(value, nx >= 0 && nx < width && ny >= 0 && ny < height ? pixels[ny * width + nx] : 0f);
                    }
                }
                result[y * width + x] = value;
            }
        }
        return result;
    }

    /// <summary>A 3×3 binomial blur (1 2 1 in each direction).</summary>
    private static float[] Blur(float[] pixels, int width, int height)
    {
        var result = new float[pixels.Length];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                float sum = 0, weight = 0;
                for (int dy = -1; dy <= 1; dy++)
                {
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int nx = x + dx, ny = y + dy;
                        if (nx < 0 || nx >= width || ny < 0 || ny >= height)
                            continue;
                        float w = (2 - Math.Abs(dx)) * (2 - Math.Abs(dy));
                        sum += w * pixels[ny * width + nx];
                        weight += w;
                    }
                }
                result[y * width + x] = sum / weight;
            }
        }
        return result;
    }

    /// <summary>
    /// Index batches of about <paramref name="batchSize"/> samples of similar width (sorted with random ties, so that
    /// padding stays small but batches differ every epoch), in random order.
    /// </summary>
    public static List<int[]> Plan(IReadOnlyList<NormalizedLine> samples, int batchSize, Random random)
    {
        int[] order = Enumerable.Range(0, samples.Count)
            .OrderBy(i => samples[i].Width + random.Next(TextStrip.Height)).ToArray();
        List<int[]> batches = order.Chunk(batchSize).Where(b => b.Length >= 2).ToList();
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batches));
        return batches;
    }
}
