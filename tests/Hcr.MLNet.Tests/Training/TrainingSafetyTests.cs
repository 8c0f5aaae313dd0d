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
