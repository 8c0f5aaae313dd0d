using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;

namespace Hcr.MLNet.Tests.Training;

/// <summary>Runs that must stop instead of producing a bad model: divergence, and a checkpoint of other data.</summary>
public class TrainingSafetyTests
{
    [Fact]
    public void A_diverging_run_stops_naming_epoch_and_batch_and_suggesting_a_lower_learning_rate()
    {
        HandwritingCnnOptions options = TrainerFixture.Quick(epochs: 2);
        // Steps this large overflow the weights within a few batches.
        options.Optimizer = OptimizerKind.Sgd;
        options.LearningRate = 1e20;

        var e = Assert.Throws<TrainingDivergedException>(() => TrainerFixture.Train(options, SyntheticGlyphs.Create(20)));

        Assert.Equal(1, e.Epoch);
        Assert.InRange(e.Batch, 1, 4);
        Assert.Equal(1e20, e.LearningRate);
        Assert.Contains($"epoch 1, batch {e.Batch}", e.Message);
        Assert.Contains("Lower the learning rate", e.Message);
        Assert.IsAssignableFrom<InvalidOperationException>(e);
    }

    /// <summary>
    /// Adam at learning rate 1e6 keeps the loss a number (7.7e20 when fine-tuning) while the weights blow up, and the run
    /// ended normally with a network that answered one class at 100%: an exploding loss, or weights or outputs that are
    /// no longer finite at an epoch's end, stop it before anything is kept.
    /// </summary>
    [Fact]
    public void A_run_whose_loss_explodes_but_stays_finite_stops_before_anything_is_kept()
    {
        using var dir = new TempDirectory();
        HandwritingCnnOptions options = TrainerFixture.Quick(epochs: 2);
        options.LearningRate = 1e6;
        options.CheckpointDirectory = dir.Path;

        var e = Assert.Throws<TrainingDivergedException>(() => TrainerFixture.Train(options, SyntheticGlyphs.Create(20)));

        Assert.Equal(1, e.Epoch);
        Assert.Contains("Lower the learning rate", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void A_network_with_a_weight_or_an_output_that_is_not_finite_is_refused_at_the_end_of_an_epoch()
    {
        Hcr.MLNet.Native.TorchRuntime.EnsureInitialized();
        using var network = TorchSharp.torch.nn.Linear(4, 3);
        using var input = TorchSharp.torch.ones(2, 4);
        NetworkHealth.Check(network, () => network.call(input), 1, 10, 0.1);

        using (TorchSharp.torch.no_grad())
            network.weight!.fill_(3e38f); // finite, but the sum of four overflows
        var overflow = Assert.Throws<TrainingDivergedException>(() => NetworkHealth.Check(network, () => network.call(input), 1, 10, 0.1));
        Assert.Contains("the network's output became NaN or infinite", overflow.Message, StringComparison.Ordinal);

        using (TorchSharp.torch.no_grad())
            network.bias![1] = float.NaN;
        var nan = Assert.Throws<TrainingDivergedException>(() => NetworkHealth.Check(network, () => network.call(input), 2, 10, 0.1));
        Assert.Contains("the weight 'bias' became NaN or infinite in epoch 2", nan.Message, StringComparison.Ordinal);
    }

    [SlowFact]
    public void A_checkpoint_written_on_other_data_of_the_same_size_is_not_resumed()
    {
        using var dir = new TempDirectory();
        HandwritingCnnOptions options = TrainerFixture.Quick(epochs: 2);
        options.CheckpointDirectory = dir.Path;
        using var cancel = new CancellationTokenSource();
        options.CancellationToken = cancel.Token;
        options.Progress = new RecordingProgress<TrainingProgress>(p =>
        {
            if (p.CompletedEpoch?.Epoch == 1)
                cancel.Cancel();
        });
        Assert.ThrowsAny<OperationCanceledException>(() => TrainerFixture.Train(options, SyntheticGlyphs.Create(30, seed: 1)));
        options.CancellationToken = CancellationToken.None;
        options.Progress = null;

        var e = Assert.Throws<InvalidDataException>(() => TrainerFixture.Train(options, SyntheticGlyphs.Create(30, seed: 2)));

        Assert.Contains("other data", e.Message);
    }
}
