using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Tests.Networks;

/// <summary>The memory-order layer: the identity in value and gradient, channels-last in storage, kept by the layers after it.</summary>
public class ChannelsLastTests
{
    public ChannelsLastTests() => TorchRuntime.EnsureInitialized();

    private static bool IsChannelsLast(Tensor t) =>
        t.stride(1) == 1 && t.stride(3) == t.shape[1] && t.stride(2) == t.shape[1] * t.shape[3];

    [Fact]
    public void Keeps_values_and_shape_and_stores_channels_last()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.arange(2 * 3 * 4 * 5, dtype: ScalarType.Float32).reshape(2, 3, 4, 5);
        using var layer = new ChannelsLast();

        Tensor y = layer.call(x);

        Assert.Equal(x.shape, y.shape);
        Assert.True(x.allclose(y, rtol: 0, atol: 0));
        Assert.True(x.is_contiguous());
        Assert.False(y.is_contiguous());
        Assert.True(IsChannelsLast(y), $"strides {string.Join(",", y.stride())}");
    }

    [Fact]
    public void Passes_gradients_through_unchanged()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.randn(2, 3, 4, 4).requires_grad_(true);
        Tensor weights = torch.randn(2, 3, 4, 4);
        using var layer = new ChannelsLast();

        (layer.call(x) * weights).sum().backward();

        Assert.True(x.grad!.allclose(weights));
    }

    [Fact]
    public void The_standard_network_runs_channels_last_from_its_first_convolution_on()
    {
        // The reason the layer exists: batch norm, ReLU, pooling and convolution keep the order it sets, so
        // every stage after the first convolution runs on channels-last activations.
        using var scope = torch.NewDisposeScope();
        var network = (TorchSharp.Modules.Sequential)CnnArchitecture.Standard.CreateNetwork(5);
        network.train();
        Tensor x = torch.rand(4, 1, 28, 28);
        bool reordered = false;
        foreach ((string name, nn.Module module) in network.named_children())
        {
            x = ((nn.Module<Tensor, Tensor>)module).call(x);
            reordered |= module is ChannelsLast;
            if (reordered && x.dim() == 4)
                Assert.True(IsChannelsLast(x), $"{name} gives strides {string.Join(",", x.stride())}");
        }
        Assert.True(reordered, "the standard network has no ChannelsLast layer");
        Assert.Equal([4, 5], x.shape);
    }

    [Fact]
    public void Rejects_activations_that_are_not_images()
    {
        using var layer = new ChannelsLast();
        using Tensor flat = torch.zeros(2, 10);
        var error = Assert.Throws<ArgumentException>(() => layer.call(flat));
        Assert.Contains("[N, C, H, W]", error.Message, StringComparison.Ordinal);
    }
}
