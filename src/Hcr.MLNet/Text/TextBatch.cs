using static TorchSharp.torch;

namespace Hcr.MLNet.Text;

/// <summary>
/// Strips of different widths in one tensor: (N, 1, 32, widest), each strip at the left and zeros (paper) after it,
/// with each strip's own number of output positions, so that CTC and decoding ignore the padding.
/// </summary>
internal static class TextBatch
{
    /// <summary>Widest width stretch of the augmentation, either way (±20%): handwriting's letter widths vary that much between hands.</summary>
    private const double MaxStretch = 0.2;

    /// <summary>Darkest an ink may be scaled to by the augmentation (pale pens, pencil).</summary>
    private const float MinInkGain = 0.6f;

    /// <summary>The images of <paramref name="samples"/> on <paramref name="device"/>, and each one's positions.</summary>
    public static (Tensor Images, long[] Positions) Images(IReadOnlyList<NormalizedLine> samples, Device device, Random? augment, int maxWidth)
    {
        var strips = new (float[] Pixels, int Width)[samples.Count];
        for (int i = 0; i < samples.Count; i++)
            strips[i] = augment is null ? (samples[i].Pixels, samples[i].Width) : Augment(samples[i], augment, maxWidth);
        (float[] data, int widest, long[] positions) = Pad(strips);
        return (tensor(data, [samples.Count, 1, TextLineNetwork.ImageHeight, widest], device: device), positions);
    }

    /// <summary>
    /// The strips side by side in one buffer (N × 32 × widest, row-major), each at the left and zeros (paper) after it,
    /// the width rounded up to the stride; and each strip's own number of output positions. Touches no TorchSharp type,
    /// so that scoring through ONNX Runtime shares it.
    /// </summary>
    public static (float[] Pixels, int Width, long[] Positions) Pad(IReadOnlyList<(float[] Pixels, int Width)> strips)
    {
        int height = TextLineNetwork.ImageHeight;
        // Rounded up to the stride, so that every strip's last columns make a whole position.
        int widest = strips.Max(s => s.Width);
        widest = (widest + TextLineNetwork.WidthStride - 1) / TextLineNetwork.WidthStride * TextLineNetwork.WidthStride;
        var data = new float[strips.Count * height * widest];
        var positions = new long[strips.Count];
        for (int i = 0; i < strips.Count; i++)
        {
            (float[] pixels, int width) = strips[i];
            for (int y = 0; y < height; y++)
                Array.Copy(pixels, y * width, data, (i * height + y) * widest, width);
            // The stride by its constant, not TextLineNetwork.Positions: a call would load the network's type, and TorchSharp with it.
            positions[i] = Math.Max(1, width / TextLineNetwork.WidthStride);
        }
        return (data, widest, positions);
    }

    /// <summary>The strip stretched in width (linear interpolation) and its ink scaled, at random.</summary>
    private static (float[] Pixels, int Width) Augment(NormalizedLine line, Random random, int maxWidth)
    {
        double stretch = 1 + MaxStretch * (2 * random.NextDouble() - 1);
        int width = Math.Clamp((int)Math.Round(line.Width * stretch), TextLineNetwork.WidthStride * 2, maxWidth);
        float gain = MinInkGain + (1 - MinInkGain) * (float)random.NextDouble();
        int height = line.Height;
        var pixels = new float[height * width];
        double step = (double)line.Width / width;
        for (int x = 0; x < width; x++)
        {
            double source = Math.Clamp((x + 0.5) * step - 0.5, 0, line.Width - 1);
            int x0 = (int)source, x1 = Math.Min(line.Width - 1, x0 + 1);
            float f = (float)(source - x0);
            for (int y = 0; y < height; y++)
            {
                int row = y * line.Width;
                pixels[y * width + x] = gain * (line.Pixels[row + x0] * (1 - f) + line.Pixels[row + x1] * f);
            }
        }
        return (pixels, width);
    }

    /// <summary>
    /// Index batches of about <paramref name="batchSize"/> samples of similar width (sorted with random ties, so that
    /// padding stays small but batches differ every epoch), in random order.
    /// </summary>
    public static List<int[]> Plan(IReadOnlyList<NormalizedLine> samples, int batchSize, Random random)
    {
        int[] order = Enumerable.Range(0, samples.Count)
            .OrderBy(i => samples[i].Width + random.Next(TextLineNetwork.ImageHeight)).ToArray();
        List<int[]> batches = order.Chunk(batchSize).Where(b => b.Length >= 2).ToList();
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batches));
        return batches;
    }
}
