using static TorchSharp.torch;

namespace Hcr.MLNet.Text;

/// <summary>Batches of strips as the TorchSharp line network takes them.</summary>
internal static class TextTensors
{
    /// <summary>The images of <paramref name="samples"/> on <paramref name="device"/> (see <see cref="TextBatch.Strips"/>), and each one's positions.</summary>
    public static (Tensor Images, long[] Positions) Images(IReadOnlyList<NormalizedLine> samples, Device device, Random? augment, int maxWidth)
    {
        (float[] data, int widest, long[] positions) = TextBatch.Strips(samples, augment, maxWidth);
        return (tensor(data, [samples.Count, 1, TextStrip.Height, widest], device: device), positions);
    }
}
