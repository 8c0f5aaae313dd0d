using Hcr.MLNet.Data;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Onnx;
using Hcr.MLNet.Onnx.Proto;
using Hcr.MLNet.Scoring;
using Hcr.MLNet.Training;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Hcr.MLNet.Tests.Onnx;

/// <summary>Helpers for the ONNX tests: pixels of a dataset, TorchSharp-vs-ONNX comparison, small custom networks.</summary>
internal static class OnnxTestSupport
{
    /// <summary>Images <paramref name="count"/> first images of <paramref name="data"/> as floats in 0..1.</summary>
    public static float[] Pixels(EmnistDataset data, int count)
    {
        var pixels = new float[count * EmnistDataset.PixelsPerImage];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> image = data.GetImage(i);
            for (int p = 0; p < image.Length; p++)
                pixels[i * EmnistDataset.PixelsPerImage + p] = image[p] / 255f;
        }
        return pixels;
    }

    public sealed record Parity(int Count, int Agreeing, double MaxDifference)
    {
        public double Agreement => (double)Agreeing / Count;

        public override string ToString() => $"{Agreeing}/{Count} same class ({Agreement:P2}), max |p_torch - p_onnx| = {MaxDifference:E2}";
    }

    /// <summary>Scores the same images on the TorchSharp network and on the ONNX model and compares.</summary>
    public static Parity Compare(HandwritingCnnTransformer torchModel, OnnxCnnModel onnxModel, float[] pixels, int count)
    {
        int k = torchModel.ClassCount;
        Assert.Equal(k, onnxModel.ClassCount);
        var fromTorch = new float[count * k];
        var fromOnnx = new float[count * k];
        // In batches of 256, as the TorchSharp transformer scores (one batch of thousands is slow on libtorch's CPU backend).
        for (int first = 0; first < count; first += 256)
        {
            int n = Math.Min(256, count - first);
            ((IBatchScorer)torchModel).Score(pixels.AsSpan(first * 784, n * 784), n, fromTorch.AsSpan(first * k, n * k));
        }
        onnxModel.Score(pixels, count, fromOnnx);
        int agreeing = 0;
        double maxDifference = 0;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> a = fromTorch.AsSpan(i * k, k), b = fromOnnx.AsSpan(i * k, k);
            if (Hcr.MLNet.Scoring.ClassScores.ArgMax(a) == Hcr.MLNet.Scoring.ClassScores.ArgMax(b))
                agreeing++;
            for (int c = 0; c < k; c++)
                maxDifference = Math.Max(maxDifference, Math.Abs(a[c] - b[c]));
        }
        return new Parity(count, agreeing, maxDifference);
    }

    /// <summary>A transformer around a hand-made network (no training), for export tests; it scores each image alone unless <paramref name="testTimeRotations"/> are given.</summary>
    public static HandwritingCnnTransformer Wrap(Module<Tensor, Tensor> network, CnnArchitecture architecture, int classCount, double[]? testTimeRotations = null)
    {
        string[] classes = Enumerable.Range(0, classCount).Select(c => ((char)('A' + c)).ToString()).ToArray();
        return new HandwritingCnnTransformer(network, architecture, classes, "Pixels", [], torch.CPU, testTimeRotations ?? []);
    }

    /// <summary>Gives every batch norm of <paramref name="network"/> random running statistics and affine parameters, so that folding them is really tested.</summary>
    public static void RandomizeBatchNorms(Module network, int seed)
    {
        var random = new Random(seed);
        using var noGrad = torch.no_grad();
        foreach ((_, Module module) in network.named_modules())
        {
            if (module is not TorchSharp.Modules.BatchNorm norm)
                continue;
            int n = (int)norm.num_features;
            norm.running_mean!.copy_(torch.tensor(Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5) * 0.4f).ToArray()));
            norm.running_var!.copy_(torch.tensor(Enumerable.Range(0, n).Select(_ => 0.5f + (float)random.NextDouble()).ToArray()));
            norm.weight!.copy_(torch.tensor(Enumerable.Range(0, n).Select(_ => 0.5f + (float)random.NextDouble()).ToArray()));
            norm.bias!.copy_(torch.tensor(Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5) * 0.2f).ToArray()));
        }
    }

    /// <summary>Reads an exported file's ONNX model.</summary>
    public static ModelProto ReadModel(string path) => ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
}

/// <summary>
/// A small residual network that covers the export paths the built-in designs do not: residual blocks
/// (identity and projection shortcuts), a batch norm that cannot be folded (after a ReLU, on images
/// and on features), average pooling, padded max pooling, global average pooling, a strided
/// convolution with a bias followed by batch norm, and nested Sequentials.
/// </summary>
internal sealed class ResidualTestCnn : CnnArchitecture
{
    public override string Name => "test-residual";

    public override string Description => "Test network: stem, residual blocks, global average pooling";

    public override Module<Tensor, Tensor> CreateNetwork(int classCount) => Sequential(
        ("stem", Conv2d(1, 8, 3, padding: 1, bias: false)), ("stem_bn", BatchNorm2d(8)), ("stem_relu", ReLU()),
        ("block1", new ResidualBlock(8, 8)),
        ("pool", AvgPool2d(2)),
        ("block2", new ResidualBlock(8, 16)),
        ("post_bn", BatchNorm2d(16)),
        ("down", Conv2d(16, 16, 3, stride: 2, padding: 1, bias: true)), ("down_bn", BatchNorm2d(16)), ("down_relu", ReLU()),
        ("max", MaxPool2d(3, stride: 1, padding: 1)),
        ("gap", AdaptiveAvgPool2d(1)),
        ("flatten", Flatten()),
        ("head", Sequential(
            ("dense", Linear(16, 32)), ("relu", ReLU()), ("bn", BatchNorm1d(32)), ("dropout", Dropout(0.2)),
            ("output", Linear(32, classCount)))));
}
