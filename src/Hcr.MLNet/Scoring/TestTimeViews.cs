using Hcr.MLNet.DataViews;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Scoring;

/// <summary>
/// What a network scores for each image: the image itself and, with test-time augmentation, copies
/// turned by a few fixed angles; the class probabilities of all of them are averaged. The views
/// travel through the network as one batch. Averaging over small rotations, which the network saw
/// in training through augmentation, smooths out its sensitivity to the exact slant of a character
/// (docs/accuracy.md, "Training recipes", measures what it gains).
/// </summary>
internal sealed class TestTimeViews
{
    // Images (views included) per network call: on the CPU the Standard network scores about 2,700
    // images/s in calls of 256 to 512 images and 1,500 in calls of 3,072, whose activations no longer fit the caches.
    private const int ImagesPerPass = 512;

    private readonly RotatedView[] _rotations;

    public TestTimeViews(IReadOnlyList<double> rotations)
    {
        ArgumentNullException.ThrowIfNull(rotations);
        Rotations = rotations.ToArray();
        _rotations = rotations.Select(RotatedView.Create).ToArray();
    }

    /// <summary>Only the image itself.</summary>
    public static TestTimeViews None { get; } = new([]);

    /// <summary>The extra views' angles in degrees (the upright image is always scored).</summary>
    public IReadOnlyList<double> Rotations { get; }

    internal IReadOnlyList<RotatedView> RotatedViews => _rotations;

    /// <summary>Views per image, the image itself included.</summary>
    public int Count => 1 + _rotations.Length;

    /// <summary>Class probabilities [N, classes] of <paramref name="images"/> [N, 1, 28, 28], averaged over the views; the network must be in eval mode.</summary>
    public Tensor Probabilities(nn.Module<Tensor, Tensor> network, Tensor images)
    {
        long count = images.shape[0], chunk = Math.Max(1, ImagesPerPass / Count);
        if (count <= chunk)
            return ChunkProbabilities(network, images);
        var parts = new List<Tensor>();
        for (long start = 0; start < count; start += chunk)
            parts.Add(ChunkProbabilities(network, images.narrow(0, start, Math.Min(chunk, count - start))));
        return torch.cat(parts, 0);
    }

    private Tensor ChunkProbabilities(nn.Module<Tensor, Tensor> network, Tensor images)
    {
        if (_rotations.Length == 0)
            return nn.functional.softmax(network.call(images), 1);
        long count = images.shape[0];
        Tensor flat = images.reshape(count, CharacterTile.PixelCount);
        var batch = new List<Tensor>(Count) { images };
        foreach (RotatedView view in _rotations)
            batch.Add(Apply(view, flat).reshape(count, 1, CharacterTile.Side, CharacterTile.Side));
        Tensor probabilities = nn.functional.softmax(network.call(torch.cat(batch, 0)), 1);
        return probabilities.reshape(Count, count, -1).mean([0]);
    }

    /// <summary>The view of every image in <paramref name="flat"/> [N, 784].</summary>
    internal static Tensor Apply(RotatedView view, Tensor flat)
    {
        // Summed by one reduction rather than with `+`: Tensor.add passes an implicit Scalar (alpha) to
        // libtorch, which under concurrent scoring was once seen to arrive corrupted (Scalar.h toFloat).
        var terms = new Tensor[RotatedView.Corners];
        for (int k = 0; k < RotatedView.Corners; k++)
        {
            Tensor sources = torch.tensor(view.Sources[k], device: flat.device);
            Tensor weights = torch.tensor(view.Weights[k], device: flat.device);
            terms[k] = flat.index_select(1, sources) * weights;
        }
        return torch.stack(terms).sum(dim: 0);
    }
}
