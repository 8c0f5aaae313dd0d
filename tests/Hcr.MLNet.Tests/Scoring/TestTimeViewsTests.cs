using Hcr.MLNet.Native;
using Hcr.MLNet.Scoring;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Hcr.MLNet.Tests.Scoring;

/// <summary>Test-time rotations: the sampling table against libtorch's own rotation, and the averaging of views.</summary>
public class TestTimeViewsTests
{
    public TestTimeViewsTests() => TorchRuntime.EnsureInitialized();

    /// <summary>libtorch's rotation of [N, 1, 28, 28] images (bilinear, zero padding), the reference the table must reproduce.</summary>
    private static Tensor Rotate(Tensor images, double degrees)
    {
        double a = degrees * Math.PI / 180;
        long n = images.shape[0];
        Tensor theta = torch.tensor(new[] { (float)Math.Cos(a), (float)-Math.Sin(a), 0f, (float)Math.Sin(a), (float)Math.Cos(a), 0f }, [1, 2, 3]).expand(n, 2, 3);
        Tensor grid = F.affine_grid(theta, [n, 1, 28, 28], align_corners: false);
        return F.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(-5)]
    [InlineData(17.5)]
    [InlineData(-30)]
    public void Sampling_table_turns_images_as_libtorch_does(double degrees)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(4);
        Tensor images = torch.rand(6, 1, 28, 28);

        Tensor viaTable = TestTimeViews.Apply(RotatedView.Create(degrees), images.reshape(6, 784)).reshape(6, 1, 28, 28);

        float difference = (viaTable - Rotate(images, degrees)).abs().max().item<float>();
        Assert.True(difference < 1e-5, $"max difference {difference}");
    }

    [Fact]
    public void Positive_angles_turn_the_character_anticlockwise()
    {
        using var scope = torch.NewDisposeScope();
        var image = new float[784];
        image[14 * 28 + 24] = 1; // a dot right of the centre
        Tensor turned = TestTimeViews.Apply(RotatedView.Create(90), torch.tensor(image, [1, 784]));

        long brightest = turned.argmax().item<long>();
        Assert.True(brightest / 28 < 8, $"the dot went to row {brightest / 28}, column {brightest % 28}: not above the centre");
        Assert.InRange(brightest % 28, 12, 15);
    }

    [Fact]
    public void Probabilities_are_the_mean_of_the_views_softmax()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(6);
        // Any network will do; a linear one with large weights is sensitive to the views.
        nn.Module<Tensor, Tensor> network = nn.Sequential(nn.Flatten(), nn.Linear(784, 5));
        network.eval();
        using var noGrad = torch.no_grad();
        foreach (Tensor p in network.parameters())
            p.mul_(20);
        Tensor images = torch.rand(200, 1, 28, 28); // more than one network call's worth with three views

        Tensor averaged = new TestTimeViews([-5, 5]).Probabilities(network, images);

        Tensor expected = (F.softmax(network.call(images), 1) + F.softmax(network.call(Rotate(images, -5)), 1)
            + F.softmax(network.call(Rotate(images, 5)), 1)) / 3;
        Assert.Equal([200, 5], averaged.shape);
        Assert.True((averaged - expected).abs().max().item<float>() < 1e-5);
        Assert.True(averaged.sum(1).allclose(torch.ones(200)));
        Assert.True(TestTimeViews.None.Probabilities(network, images).allclose(F.softmax(network.call(images), 1)));
        // The views really change the scores: the average is not the upright image's alone.
        Assert.True((averaged - F.softmax(network.call(images), 1)).abs().max().item<float>() > 0.01);
    }
}
