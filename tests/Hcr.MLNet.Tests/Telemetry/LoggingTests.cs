using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Tests.Training;
using Hcr.MLNet.Training;
using Microsoft.Extensions.Logging;

namespace Hcr.MLNet.Tests.Telemetry;

/// <summary>What an ILogger given to training and to a recognizer receives.</summary>
[Collection(TelemetryFixture.Collection)]
public class LoggingTests(TelemetryFixture fixture)
{
    [Fact]
    public void Training_logs_its_start_each_epoch_and_its_end_with_the_runs_values()
    {
        ListLogger log = fixture.TrainingLogger;
        IReadOnlyList<LogEntry> entries = log.Entries;
        IReadOnlyList<EpochMetrics> history = fixture.Recognizer.History;

        LogEntry started = Assert.Single(log.Named("Started"));
        Assert.Same(started, entries[0]);
        Assert.Equal(LogLevel.Information, started.Level);
        Assert.Equal(CnnArchitecture.Seed.Name, started.Value<string>("Architecture"));
        Assert.Equal(120, started.Value<int>("TrainImages")); // 160 images, a quarter held out
        Assert.Equal(40, started.Value<int>("ValidationImages"));
        Assert.Equal(4, started.Value<int>("Classes"));
        Assert.Equal(TelemetryFixture.Epochs, started.Value<int>("Epochs"));
        Assert.Equal(TelemetryFixture.BatchSize, started.Value<int>("BatchSize"));
        Assert.Equal(OptimizerKind.Adam, started.Value<OptimizerKind>("Optimizer"));

        LogEntry[] epochs = log.Named("EpochValidated").ToArray();
        Assert.Equal(history.Count, epochs.Length);
        for (int i = 0; i < epochs.Length; i++)
        {
            EpochMetrics m = history[i];
            Assert.Equal(m.Epoch, epochs[i].Value<int>("Epoch"));
            Assert.Equal(m.TrainLoss, epochs[i].Value<double>("TrainLoss"));
            Assert.Equal(m.TrainAccuracy, epochs[i].Value<double>("TrainAccuracy"));
            Assert.Equal(m.ValidationLoss, epochs[i].Value<double>("ValidationLoss"));
            Assert.Equal(m.ValidationAccuracy, epochs[i].Value<double>("ValidationAccuracy"));
            Assert.Equal(m.ValidationMacroAccuracy, epochs[i].Value<double>("ValidationMacroAccuracy"));
            Assert.Equal(m.ImagesPerSecond, epochs[i].Value<double>("ImagesPerSecond"));
            Assert.Equal(m.LearningRate, epochs[i].Value<double>("LearningRate"));
            Assert.StartsWith($"Epoch {m.Epoch}/{TelemetryFixture.Epochs}: train loss ", epochs[i].Message, StringComparison.Ordinal);
        }
        Assert.Empty(log.Named("EpochCompleted")); // the run validated

        LogEntry finished = Assert.Single(log.Named("Finished"));
        Assert.Same(finished, entries[^1]);
        Assert.Equal(TelemetryFixture.Epochs, finished.Value<int>("EpochsRun"));
        Assert.Equal(TelemetryFixture.Epochs, finished.Value<int>("ReturnedEpoch"));
        Assert.True(finished.Value<double>("DurationSeconds") > 0);
    }

    [Fact]
    public void Information_logger_is_never_called_for_debug_entries()
    {
        // The TorchSharp runtime line is Debug; the generated methods must ask IsEnabled before calling Log.
        Assert.DoesNotContain(fixture.TrainingLogger.Entries, e => e.Level < LogLevel.Information);
        Assert.Equal(0, fixture.TrainingLogger.CallsWhileDisabled);

        var info = new ListLogger(LogLevel.Information);
        fixture.Recognizer.Logger = info;
        try
        {
            for (int i = 0; i < 3; i++)
                fixture.Recognizer.PredictTile(fixture.Test.GetImage(i));
        }
        finally
        {
            fixture.Recognizer.Logger = null;
        }
        Assert.Empty(info.Entries);
        Assert.Equal(0, info.CallsWhileDisabled);
    }

    [Fact]
    public void Recognizer_logs_predictions_at_debug_and_evaluations_at_information()
    {
        HandwritingRecognizer recognizer = fixture.Recognizer;
        var debug = new ListLogger(LogLevel.Debug);
        recognizer.Logger = debug;
        CharacterPrediction[] singles;
        RecognizerEvaluation evaluation;
        try
        {
            singles = Enumerable.Range(0, 3).Select(i => recognizer.PredictTile(fixture.Test.GetImage(i))).ToArray();
            recognizer.PredictTiles(fixture.Test);
            evaluation = recognizer.Evaluate(fixture.Test);
        }
        finally
        {
            recognizer.Logger = null;
        }

        LogEntry[] predicted = debug.Named("Predicted").ToArray();
        Assert.Equal(singles.Select(p => p.Character), predicted.Select(e => e.Value<char>("Character")));
        Assert.All(predicted, e =>
        {
            Assert.Equal(LogLevel.Debug, e.Level);
            Assert.Equal("tile", e.Value<string>("Source"));
            Assert.Equal("torchsharp", e.Value<string>("Scorer"));
        });
        Assert.Equal(new[] { 256, 44 }, debug.Named("BatchPredicted").Select(e => e.Value<int>("Images")));
        LogEntry evaluated = Assert.Single(debug.Named("Evaluated"));
        Assert.Equal(LogLevel.Information, evaluated.Level);
        Assert.Equal(300, evaluated.Value<int>("Images"));
        Assert.Equal(evaluation.Accuracy, evaluated.Value<double>("Accuracy"));
        Assert.Equal(evaluation.MacroAccuracy, evaluated.Value<double>("MacroAccuracy"));
    }

    [Fact]
    public void Builder_logger_given_after_trainer_options_replaces_theirs_and_stays_with_the_recognizer()
    {
        var log = new ListLogger(LogLevel.Information);
        using HandwritingRecognizer recognizer = HandwritingRecognizer.Create()
            .WithData(fixture.Train)
            .WithTrainerOptions(o =>
            {
                o.Architecture = CnnArchitecture.Seed;
                o.Epochs = 1;
                o.BatchSize = 32;
                o.Augmentation = AugmentationLevel.None;
                o.ValidationFraction = 0;
                o.Device = ComputeDevice.Cpu;
                o.Threads = 1;
                o.Logger = null; // as a copy of options made without a logger would
            })
            .WithLogger(log) // one store: the last call wins
            .Train();

        Assert.Same(log, recognizer.Logger);
        Assert.Single(log.Named("Started"));
        LogEntry epoch = Assert.Single(log.Named("EpochCompleted")); // one epoch, no validation
        Assert.Equal(recognizer.History[0].TrainLoss, epoch.Value<double>("TrainLoss"));
        Assert.Single(log.Named("Finished"));
    }

    [Fact]
    public void Checkpoints_are_logged_when_written_and_when_resumed()
    {
        using var dir = new TempDirectory();
        HandwritingCnnOptions options = TrainerFixture.Quick(epochs: 1);
        options.CheckpointDirectory = dir.Path;
        var first = new ListLogger(LogLevel.Debug);
        options.Logger = first;
        using (TrainerFixture.Train(options, fixture.Train))
        {
        }
        LogEntry written = Assert.Single(first.Named("CheckpointWritten"));
        Assert.Equal(1, written.Value<int>("Epoch"));
        Assert.Single(first.Named("Runtime")); // Debug entries arrive when Debug is on
        Assert.Empty(first.Named("Resumed"));

        var second = new ListLogger(LogLevel.Information);
        options.Logger = second;
        using (TrainerFixture.Train(options, fixture.Train))
        {
        }
        LogEntry resumed = Assert.Single(second.Named("Resumed"));
        Assert.Equal(written.Value<string>("CheckpointPath"), resumed.Value<string>("CheckpointPath"));
        Assert.Equal(1, resumed.Value<int>("Epoch"));
        Assert.Equal(0, Assert.Single(second.Named("Finished")).Value<int>("EpochsRun")); // nothing left to train
    }
}
