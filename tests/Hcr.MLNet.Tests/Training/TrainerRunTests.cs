using Hcr.MLNet.IO;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;
using Microsoft.ML;
using TorchSharp;

namespace Hcr.MLNet.Tests.Training;

/// <summary>Determinism and resume: runs whose weights must be bit-identical.</summary>
[Collection(TorchRandomness.Name)]
public class TrainerReproducibilityTests
{
    [SlowFact]
    public void Same_seed_on_one_cpu_thread_gives_identical_weights_and_predictions()
    {
        HandwritingCnnOptions options = TrainerFixture.Quick(epochs: 2);
        options.Architecture = CnnArchitecture.Standard;
        options.Augmentation = AugmentationLevel.Strong;
        options.Sampling = ClassSampling.Balanced;
        options.LearningRateSchedule = LearningRateSchedule.OneCycle;
        using var a = TrainerFixture.Train(options);
        using var b = TrainerFixture.Train(options);
        options.Seed = 2;
        using var c = TrainerFixture.Train(options);

        var wa = TrainerFixture.Weights(a);
        var wb = TrainerFixture.Weights(b);
        Assert.Equal(wa.Keys, wb.Keys);
        Assert.All(wa, p => Assert.Equal(p.Value, wb[p.Key]));
        Assert.NotEqual(wa["conv1a.weight"], TrainerFixture.Weights(c)["conv1a.weight"]);

        float[] image = SyntheticGlyphs.Create(1, seed: 3).GetImage(2).ToArray().Select(v => v / 255f).ToArray();
        Assert.Equal(a.Score(image), b.Score(image));
    }

    [SlowTheory]
    [InlineData(0.0)]
    [InlineData(0.9)] // the weight average must resume too
    public void Interrupted_run_resumes_from_its_checkpoint_to_the_same_weights(double weightAverageDecay)
    {
        using var dir = new TempDirectory();
        HandwritingCnnOptions options = TrainerFixture.Quick(epochs: 3);
        options.WeightAverageDecay = weightAverageDecay;
        options.Augmentation = AugmentationLevel.Light;
        options.ValidationFraction = 0.2;
        options.EarlyStoppingPatience = 5;
        using var uninterrupted = TrainerFixture.Train(options);

        options.CheckpointDirectory = dir.Path;
        using var cancel = new CancellationTokenSource();
        options.CancellationToken = cancel.Token;
        options.Progress = new RecordingProgress<TrainingProgress>(p =>
        {
            if (p.CompletedEpoch?.Epoch == 2)
                cancel.Cancel();
        });
        Assert.ThrowsAny<OperationCanceledException>(() => TrainerFixture.Train(options));
        Assert.True(File.Exists(Path.Combine(dir.Path, "checkpoint.hcrckpt")));

        var reports = new RecordingProgress<TrainingProgress>();
        options.Progress = reports;
        options.CancellationToken = CancellationToken.None;
        using var resumed = TrainerFixture.Train(options);

        Assert.All(reports.Reports, r => Assert.Equal(3, r.Epoch)); // epochs 1 and 2 were not run again
        Assert.Equal([1, 2, 3], resumed.History.Select(h => h.Epoch));
        var expected = TrainerFixture.Weights(uninterrupted);
        Assert.All(TrainerFixture.Weights(resumed), p => Assert.Equal(expected[p.Key], p.Value));
    }

}

/// <summary>Checkpoints, cancellation, progress, logging, leaks and persistence of training runs.</summary>
public class TrainerRunTests
{
    [SlowFact]
    public void Checkpoint_of_another_run_is_refused()
    {
        using var dir = new TempDirectory();
        HandwritingCnnOptions options = TrainerFixture.Quick(epochs: 1);
        options.CheckpointDirectory = dir.Path;
        using (TrainerFixture.Train(options)) { }
        options.Seed = 9;
        var e = Assert.Throws<InvalidDataException>(() => TrainerFixture.Train(options));
        Assert.Contains("other settings", e.Message);
    }

    [SlowFact]
    public void Progress_reports_batches_and_epochs_with_throughput_and_time_left()
    {
        var reports = new RecordingProgress<TrainingProgress>();
        HandwritingCnnOptions options = TrainerFixture.Quick(epochs: 2);
        options.ValidationFraction = 0.25;
        options.Progress = reports;
        using var model = TrainerFixture.Train(options);

        var completed = reports.Reports.Where(r => r.CompletedEpoch is not null).ToList();
        Assert.Equal([1, 2], completed.Select(r => r.CompletedEpoch!.Epoch));
        Assert.All(completed, r => Assert.NotNull(r.CompletedEpoch!.ValidationAccuracy));
        Assert.All(reports.Reports, r =>
        {
            Assert.Equal(2, r.Epochs);
            Assert.InRange(r.Batch, 1, r.BatchesPerEpoch);
            Assert.True(r.ImagesPerSecond > 0);
        });
        Assert.Equal(TimeSpan.Zero, completed[^1].EstimatedRemaining);
    }

    [SlowFact]
    public void Trainer_logs_to_the_MLContext_it_came_from()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Source.Contains(nameof(HandwritingCnnTrainer)))
            {
                lock (messages)
                    messages.Add(e.Message);
            }
        };
        using var model = TrainerFixture.Train(TrainerFixture.Quick(epochs: 1), ml: ml);
        Assert.Contains(messages, m => m.Contains("TorchSharp runtime"));
        Assert.Contains(messages, m => m.Contains("Epoch 1: train loss"));
    }

    [SlowTheory]
    [InlineData(0.0)]
    [InlineData(0.9)]
    public void Training_leaks_no_tensors_however_many_epochs(double weightAverageDecay)
    {
        long LiveAfter(int epochs)
        {
            long before = DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
            HandwritingCnnOptions options = TrainerFixture.Quick(epochs);
            options.WeightAverageDecay = weightAverageDecay;
            using (TrainerFixture.Train(options)) { }
            return DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount - before;
        }
        LiveAfter(1); // warm-up: one-time allocations
        long one = LiveAfter(1), three = LiveAfter(3);
        Assert.Equal(one, three);
    }

    [SlowFact]
    public void Cancellation_stops_training()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        HandwritingCnnOptions options = TrainerFixture.Quick();
        options.CancellationToken = cancel.Token;
        Assert.ThrowsAny<OperationCanceledException>(() => TrainerFixture.Train(options));
    }

    [SlowFact]
    public void Early_stopping_restores_the_best_epoch()
    {
        var ml = new MLContext(seed: 1);
        HandwritingCnnOptions options = TrainerFixture.Quick(epochs: 12);
        // Validation images whose labels are shuffled: the network cannot improve on them for long.
        var validation = SyntheticGlyphs.Create(20, seed: 5);
        int[] scrambled = validation.Labels.ToArray();
        new Random(3).Shuffle(scrambled);
        (IDataView train, ITransformer preprocessing) = TrainerFixture.Prepare(ml, SyntheticGlyphs.Create(60));
        IDataView validationView = preprocessing.Transform(Hcr.MLNet.Data.EmnistDataset.Create(validation.Pixels.ToArray(), scrambled, validation.Classes).ToDataView(ml));
        options.ValidationSet = validationView;
        options.EarlyStoppingPatience = 2;
        using HandwritingCnnTransformer model = ml.MulticlassClassification.Trainers.HandwritingCnn(options).Fit(train);

        double[] losses = model.History.Select(h => h.ValidationLoss!.Value).ToArray();
        int best = Array.IndexOf(losses, losses.Min()) + 1;
        if (model.History.Count < options.Epochs)
            Assert.Equal(best + 2, model.History.Count);
        double restored = ml.MulticlassClassification.Evaluate(model.Transform(validationView)).LogLoss;
        Assert.Equal(losses.Min(), restored, 4);
    }

    [SlowFact]
    public void Saved_transformer_loads_and_predicts_the_same()
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer model = TrainerFixture.Train(TrainerFixture.Quick(epochs: 2));
        string path = dir.File("net.hcrcnn");
        model.Save(path);
        using HandwritingCnnTransformer loaded = HandwritingCnnTransformer.Load(path, Hcr.MLNet.Native.ComputeDevice.Cpu);

        Assert.Equal(model.ClassNames, loaded.ClassNames);
        Assert.Equal(model.Architecture, loaded.Architecture);
        Assert.Equal(model.History, loaded.History);
        Assert.Equal([-5.0, 5.0], model.TestTimeRotations);
        Assert.Equal(model.TestTimeRotations, loaded.TestTimeRotations);
        float[] image = SyntheticGlyphs.Create(1, seed: 8).GetImage(1).ToArray().Select(v => v / 255f).ToArray();
        Assert.Equal(model.Score(image), loaded.Score(image));
    }

    [SlowFact]
    public void WithTestTimeRotations_scores_a_copy_of_the_same_weights_with_other_views()
    {
        using HandwritingCnnTransformer model = TrainerFixture.Train(TrainerFixture.Quick(epochs: 1));
        float[] image = SyntheticGlyphs.Create(1, seed: 8).GetImage(2).ToArray().Select(v => v / 255f).ToArray();
        float[] before = model.Score(image);
        HandwritingCnnTransformer alone = model.WithTestTimeRotations([]);
        using HandwritingCnnTransformer back = alone.WithTestTimeRotations([-5, 5]);

        Assert.Equal([-5.0, 5.0], model.TestTimeRotations);
        Assert.Empty(alone.TestTimeRotations);
        Assert.Equal(model.ClassNames, alone.ClassNames);
        Assert.Equal(model.History, alone.History);
        // Each image alone: the softmax of the original network's output for it.
        float[] expected;
        using (torch.no_grad())
        using (var input = torch.tensor(image, [1, 1, 28, 28]))
        using (var output = torch.nn.functional.softmax(model.Network.call(input), 1))
            expected = output.data<float>().ToArray();
        float[] scoredAlone = alone.Score(image), scoredBack = back.Score(image);
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.Equal(expected[k], scoredAlone[k], 1e-6f);
            Assert.Equal(before[k], scoredBack[k], 1e-6f);
        }
        Assert.NotEqual(before, scoredAlone); // the turned views counted before

        // The copy owns its network: disposing it leaves the original as it was.
        alone.Dispose();
        Assert.Equal(before, model.Score(image));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.WithTestTimeRotations([0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.WithTestTimeRotations([HandwritingCnnOptions.MaxTestTimeAngle + 1]));
    }

    [SlowFact]
    public void Model_files_of_format_1_load_and_score_each_image_alone()
    {
        // Format 1 is format 2 without the test-time rotations (written before they existed).
        using var dir = new TempDirectory();
        HandwritingCnnOptions options = TrainerFixture.Quick(epochs: 1);
        options.TestTimeRotations = [];
        using HandwritingCnnTransformer model = TrainerFixture.Train(options);
        using var written = new MemoryStream();
        model.Save(written);
        byte[] current = written.ToArray();
        using var reader = new BinaryReader(new MemoryStream(current));
        reader.ReadBytes(8);
        Assert.Equal(2, reader.ReadInt32());
        reader.ReadString();
        reader.ReadString();
        int classes = reader.ReadInt32();
        for (int i = 0; i < classes; i++)
            reader.ReadString();
        EpochMetricsFormat.Read(reader, "test");
        int rotationsAt = (int)reader.BaseStream.Position;
        Assert.Equal(0, reader.ReadInt32());
        byte[] formatOne = [.. current[..rotationsAt], .. current[(rotationsAt + 4)..]];
        BitConverter.GetBytes(1).CopyTo(formatOne, 8);
        string path = dir.File("old.hcrcnn");
        File.WriteAllBytes(path, formatOne);

        using HandwritingCnnTransformer loaded = HandwritingCnnTransformer.Load(path, Hcr.MLNet.Native.ComputeDevice.Cpu);

        Assert.Empty(loaded.TestTimeRotations);
        float[] image = SyntheticGlyphs.Create(1, seed: 9).GetImage(0).ToArray().Select(v => v / 255f).ToArray();
        Assert.Equal(model.Score(image), loaded.Score(image));
    }

    [SlowFact]
    public void Corrupt_truncated_or_foreign_model_files_are_refused_clearly()
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer model = TrainerFixture.Train(TrainerFixture.Quick(epochs: 1));
        string path = dir.File("net.hcrcnn");
        model.Save(path);
        byte[] good = File.ReadAllBytes(path);

        File.WriteAllBytes(path, good[..(good.Length / 2)]);
        Assert.Contains("truncated", Assert.Throws<ModelFormatException>(() => HandwritingCnnTransformer.Load(path)).Message);

        File.WriteAllText(path, "this is not a model at all, just some text that is long enough");
        Assert.Contains("not an Hcr.MLNet network", Assert.Throws<ModelFormatException>(() => HandwritingCnnTransformer.Load(path)).Message);

        byte[] otherVersion = (byte[])good.Clone();
        otherVersion[8] = 99; // the format version follows the 8-byte header
        File.WriteAllBytes(path, otherVersion);
        var e = Assert.Throws<ModelFormatException>(() => HandwritingCnnTransformer.Load(path));
        Assert.Contains("format version 99", e.Message);
        Assert.Contains(path, e.Message);

        Assert.Throws<FileNotFoundException>(() => HandwritingCnnTransformer.Load(dir.File("absent.hcrcnn")));
    }

    [SlowFact]
    public void MLNet_model_zip_explains_how_to_save_instead()
    {
        var ml = new MLContext();
        using HandwritingCnnTransformer model = TrainerFixture.Train(TrainerFixture.Quick(epochs: 1));
        (IDataView view, _) = TrainerFixture.Prepare(ml, SyntheticGlyphs.Create(2));
        using var stream = new MemoryStream();
        var e = Assert.Throws<NotSupportedException>(() => ml.Model.Save(model, view.Schema, stream));
        Assert.Contains("HandwritingRecognizer.Save", e.Message);
    }
}
