using Hcr.MLNet.DataViews;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Training;

/// <summary>Training or validation images as tensors on the training device: [N, 1, 28, 28] floats and [N] class indices.</summary>
internal sealed class ImageTensors : IDisposable
{
    private ImageTensors(Tensor images, Tensor labels, long[] labelArray, int classCount)
    {
        Images = images;
        Labels = labels;
        LabelArray = labelArray;
        ClassCount = classCount;
    }

    public Tensor Images { get; }

    public Tensor Labels { get; }

    /// <summary>The labels on the CPU, for sampling and per-class counts.</summary>
    public long[] LabelArray { get; }

    public int ClassCount { get; }

    public int Count => LabelArray.Length;

    /// <summary>Copies N×784 floats (row-major 28×28 images in 0..1) and N class indices to <paramref name="device"/>.</summary>
    public static ImageTensors Create(float[] pixels, long[] labels, int classCount, Device device)
    {
        Tensor images = torch.tensor(pixels, [labels.Length, 1, CharacterTile.Side, CharacterTile.Side]).to(device).DetachFromDisposeScope();
        Tensor labelTensor = torch.tensor(labels).to(device).DetachFromDisposeScope();
        return new ImageTensors(images, labelTensor, labels, classCount);
    }

    /// <summary>Holds out <paramref name="fraction"/> of every class (seeded), returning (rest, held out).</summary>
    public (ImageTensors Train, ImageTensors Holdout) SplitStratified(double fraction, int seed)
    {
        var random = new Random(seed);
        var keep = new List<long>();
        var hold = new List<long>();
        foreach (IGrouping<long, int> members in Enumerable.Range(0, Count).GroupBy(i => LabelArray[i]).OrderBy(g => g.Key))
        {
            int[] shuffled = members.ToArray();
            random.Shuffle(shuffled);
            int held = (int)Math.Round(shuffled.Length * fraction, MidpointRounding.AwayFromZero);
            if (shuffled.Length >= 2)
                held = Math.Clamp(held, 1, shuffled.Length - 1);
            hold.AddRange(shuffled.Take(held).Select(i => (long)i));
            keep.AddRange(shuffled.Skip(held).Select(i => (long)i));
        }
        keep.Sort();
        hold.Sort();
        return (Select(keep), Select(hold));
    }

    private ImageTensors Select(List<long> indices)
    {
        using var index = torch.tensor(indices.ToArray(), device: Images.device);
        Tensor images = Images.index_select(0, index).DetachFromDisposeScope();
        Tensor labels = Labels.index_select(0, index).DetachFromDisposeScope();
        return new ImageTensors(images, labels, indices.Select(i => LabelArray[i]).ToArray(), ClassCount);
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
