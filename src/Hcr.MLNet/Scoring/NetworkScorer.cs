using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Scoring;

/// <summary>
/// Runs a trained network on batches of images and returns class probabilities, averaged over the
/// test-time views. The network stays in eval mode and nothing is cached between calls, so
/// concurrent calls from several threads are safe.
/// </summary>
internal sealed class NetworkScorer(nn.Module<Tensor, Tensor> network, Device device, int classCount, TestTimeViews views) : IBatchScorer
{
    public const int PixelCount = IBatchScorer.PixelCount;

    public int ClassCount => classCount;

    /// <summary>Softmax probabilities of <paramref name="count"/> images (row-major 28×28 floats in 0..1) into <paramref name="probabilities"/> (count × classes).</summary>
    public void Score(ReadOnlySpan<float> pixels, int count, Span<float> probabilities)
    {
        if (pixels.Length < count * PixelCount || probabilities.Length < count * classCount)
            throw new ArgumentException("The buffers are smaller than the image count needs.");
        if (count == 0)
            return;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        Tensor images = torch.tensor(pixels[..(count * PixelCount)].ToArray(), [count, 1, 28, 28]).to(device);
        Tensor result = views.Probabilities(network, images).cpu();
        result.data<float>().CopyTo(probabilities[..(count * classCount)]);
    }
}
