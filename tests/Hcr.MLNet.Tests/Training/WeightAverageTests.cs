using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;
using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Tests.Training;

/// <summary>The exponential moving average of the weights, alone and inside training runs.</summary>
[Collection(TorchRandomness.Name)]
public class WeightAverageTests
{
    public WeightAverageTests() => TorchRuntime.EnsureInitialized();

    [SlowFact]
    public void Average_is_a_running_mean_first_then_exponential_and_copies_counters()
    {
        using var live = nn.Sequential(("dense", nn.Linear(1, 1, hasBias: false)), ("norm", nn.BatchNorm1d(1)));
        using var average = new WeightAverage(live, nn.Sequential(("dense", nn.Linear(1, 1, hasBias: false)), ("norm", nn.BatchNorm1d(1))), decay: 0.75);
        Tensor weight = live.state_dict()["dense.weight"];
        Tensor batches = live.state_dict()["norm.num_batches_tracked"];
        float Averaged() => average.Network.state_dict()["dense.weight"].item<float>();

        double[] steps = [2, 4, 9, 1, 5];
        var expected = new List<double>();
        for (int i = 0; i < steps.Length; i++)
        {
            using (torch.no_grad())
            {
                weight.fill_(steps[i]);
                batches.fill_(i + 10);
            }
            average.Update();
            expected.Add(Averaged());
        }

        // Steps 1 to 4 average equally (keep 0, 1/2, 2/3, 3/4), then the decay 0.75 caps it.
        Assert.Equal(2, expected[0], 5);
        Assert.Equal(3, expected[1], 5);
        Assert.Equal(5, expected[2], 5);
        Assert.Equal(4, expected[3], 5);
        Assert.Equal(0.75 * 4 + 0.25 * 5, expected[4], 5);
        Assert.Equal(14, average.Network.state_dict()["norm.num_batches_tracked"].item<long>());
        Assert.Equal(5, average.Steps);
    }

    [SlowFact]
    public void Training_with_averaging_returns_and_validates_the_average_without_changing_the_trained_weights()
    {
        var ml = new MLContext(seed: 1);
        (IDataView train, ITransformer preprocessing) = TrainerFixture.Prepare(ml, SyntheticGlyphs.Create(60));
        IDataView validation = preprocessing.Transform(SyntheticGlyphs.Create(10, seed: 4).ToDataView(ml));
        HandwritingCnnTransformer Fit(double decay)
        {
            HandwritingCnnOptions options = TrainerFixture.Quick(epochs: 2);
            options.Architecture = CnnArchitecture.Standard; // batch norm: its statistics are averaged too
            options.ValidationSet = validation;
            options.WeightAverageDecay = decay;
            return ml.MulticlassClassification.Trainers.HandwritingCnn(options).Fit(train);
        }

        using HandwritingCnnTransformer last = Fit(0), nearlyLast = Fit(1e-9), averaged = Fit(0.9);
        var lastWeights = TrainerFixture.Weights(last);
        // A vanishing decay averages nothing but the last step: the trained network's own weights, so
        // averaging did not disturb training (initial weights, random draws).
        Assert.All(TrainerFixture.Weights(nearlyLast), p => Assert.Equal(lastWeights[p.Key], p.Value, (a, b) => Math.Abs(a - b) <= 1e-5f * (1 + Math.Abs(b))));
        Assert.NotEqual(lastWeights["conv3b.weight"], TrainerFixture.Weights(averaged)["conv3b.weight"]);

        // The history's validation figures are those of the network returned, the average.
        double reported = averaged.History[^1].ValidationLoss!.Value;
        Assert.Equal(reported, ml.MulticlassClassification.Evaluate(averaged.Transform(validation)).LogLoss, 4);
        Assert.NotEqual(last.History[^1].ValidationLoss!.Value, reported, 4);
    }
}
