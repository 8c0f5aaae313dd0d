using Hcr.MLNet.Native;
using Hcr.MLNet.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Tests.Training;

/// <summary>
/// The trainers' own optimizer step (scalars held through each native call) against TorchSharp's: the same weights and
/// the same saved optimizer state, to the bit, so that checkpoints written before and after it resume alike.
/// </summary>
public class OptimizerStepTests
{
    public OptimizerStepTests() => TorchRuntime.EnsureInitialized();

    [Theory]
    [InlineData(OptimizerKind.AdamW, 0.1)]
    [InlineData(OptimizerKind.Adam, 0.01)]
    [InlineData(OptimizerKind.Adam, 0.0)]
    [InlineData(OptimizerKind.Sgd, 0.01)]
    public void Steps_match_TorchSharps_to_the_bit(OptimizerKind kind, double weightDecay)
    {
        var options = new HandwritingCnnOptions { Optimizer = kind, LearningRate = 0.01, WeightDecay = weightDecay };
        using var reference = Network();
        using var ours = Network();
        ours.load_state_dict(reference.state_dict());
        using var referenceOptimizer = OptimizerFactory.Create(options, reference);
        using var ourOptimizer = OptimizerFactory.Create(options, ours);
        var random = new Random(7);

        for (int step = 0; step < 6; step++)
        {
            using var scope = torch.NewDisposeScope();
            float[] inputs = Enumerable.Range(0, 8 * 5).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            long[] labels = Enumerable.Range(0, 8).Select(_ => (long)random.Next(3)).ToArray();
            double learningRate = 0.01 * (step + 1);
            Train(reference, referenceOptimizer, inputs, labels, learningRate, o => o.step());
            Train(ours, ourOptimizer, inputs, labels, learningRate, OptimizerStep.Take);
        }

        var theirs = reference.state_dict();
        foreach ((string name, Tensor weights) in ours.state_dict())
            Assert.True(weights.eq(theirs[name]).all().item<bool>(), $"{kind}: {name} differs after six steps.");
        // A parameter actually moved, so the comparison above compared updates, not the starting copy.
        using var start = Network();
        Assert.False(ours.state_dict()["first.weight"].eq(start.state_dict()["first.weight"]).all().item<bool>());
        Assert.Equal(SavedState(referenceOptimizer), SavedState(ourOptimizer));
    }

    [Fact]
    public void A_parameter_without_a_gradient_is_left_alone()
    {
        var options = new HandwritingCnnOptions { Optimizer = OptimizerKind.AdamW, LearningRate = 0.01, WeightDecay = 0.1 };
        using var network = Network();
        using var optimizer = OptimizerFactory.Create(options, network);
        Tensor before = network.state_dict()["first.weight"].clone();

        OptimizerStep.Take(optimizer);

        Assert.True(network.state_dict()["first.weight"].eq(before).all().item<bool>());
    }

    private static nn.Module<Tensor, Tensor> Network() =>
        nn.Sequential(("first", nn.Linear(5, 4)), ("relu", nn.ReLU()), ("second", nn.Linear(4, 3)));

    private static void Train(nn.Module<Tensor, Tensor> network, TorchSharp.Modules.OptimizerHelper optimizer, float[] inputs, long[] labels,
        double learningRate, Action<TorchSharp.Modules.OptimizerHelper> step)
    {
        foreach (var group in optimizer.ParamGroups)
            group.LearningRate = learningRate;
        Tensor loss = nn.functional.cross_entropy(network.call(torch.tensor(inputs).reshape(8, 5)), torch.tensor(labels));
        optimizer.zero_grad();
        loss.backward();
        step(optimizer);
    }

    private static byte[] SavedState(TorchSharp.Modules.OptimizerHelper optimizer)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            optimizer.save_state_dict(writer);
        return stream.ToArray();
    }
}
