using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Text;

/// <summary>Class probabilities of strips through the network in evaluation mode, in batches of similar widths.</summary>
internal static class TextScoring
{
    /// <summary>Strips per network call: similar widths (sorted) keep padding small.</summary>
    public const int BatchSize = 32;

    /// <summary>For each strip, its positions × classes probabilities, row-major; the network is left in evaluation mode.</summary>
    public static float[][] Probabilities(TextLineNetwork network, IReadOnlyList<NormalizedLine> lines, Device device)
    {
        network.eval();
        var result = new float[lines.Count][];
        int[] order = Enumerable.Range(0, lines.Count).OrderBy(i => lines[i].Width).ToArray();
        using var noGrad = no_grad();
        foreach (int[] chunk in order.Chunk(BatchSize))
        {
            using var scope = NewDisposeScope();
            (Tensor images, long[] positions) = TextBatch.Images(chunk.Select(i => lines[i]).ToArray(), device, augment: null, int.MaxValue);
            Tensor probabilities = nn.functional.softmax(network.call(images), 2).cpu();
            int classes = (int)probabilities.shape[2];
            long stride = probabilities.shape[1] * classes;
            float[] all = probabilities.data<float>().ToArray();
            for (int k = 0; k < chunk.Length; k++)
                result[chunk[k]] = all.AsSpan((int)(k * stride), (int)(positions[k] * classes)).ToArray();
        }
        return result;
    }
}
