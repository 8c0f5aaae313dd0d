using Hcr.MLNet.Native;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Tests.Text;
using Hcr.MLNet.Text;
using Microsoft.Extensions.Logging;

namespace Hcr.MLNet.Tests.Telemetry;

/// <summary>What a text reader gives an ILogger and the Hcr.MLNet meter: what the recognizer gives them (LoggingTests, MetricsTests), for reads of words and lines.</summary>
public class TextReaderTelemetryTests
{
    [Fact]
    public void Text_reader_logs_reads_at_debug_and_evaluations_at_information()
    {
        using var dir = new TempDirectory();
        WordImageSet words = GlyphWords.Write(dir, 4, seed: 3);
        using HandwritingTextReader reader = HandwritingTextReader.LoadPretrained();
        var debug = new ListLogger(LogLevel.Debug);
        reader.Logger = debug;
        TextReading[] readings = new[] { "abc", "cab" }.Select(w => reader.Read(GlyphWords.Png(w), sourceName: w)).ToArray();
        TextEvaluation evaluation = reader.Evaluate(words);
        reader.Logger = null;
        reader.Read(GlyphWords.Png("a"));

        LogEntry[] read = debug.Named("Read").ToArray();
        Assert.Equal(["abc", "cab"], read.Select(e => e.Value<string>("Source")));
        for (int i = 0; i < read.Length; i++)
        {
            Assert.Equal(LogLevel.Debug, read[i].Level);
            Assert.Equal(readings[i].Lines.Count, read[i].Value<int>("Lines"));
            Assert.Equal(readings[i].Lines.Sum(l => l.Text.Length), read[i].Value<int>("Characters"));
            Assert.Equal("onnx", read[i].Value<string>("Scorer"));
            Assert.True(read[i].Value<double>("DurationMilliseconds") > 0);
        }
        LogEntry evaluated = Assert.Single(debug.Named("Evaluated"));
        Assert.Equal(LogLevel.Information, evaluated.Level);
        Assert.Equal(4, evaluated.Value<int>("Images"));
        Assert.Equal(words.Source, evaluated.Value<string>("Source"));
        Assert.Equal(evaluation.CharacterErrorRate, evaluated.Value<double>("CharacterErrorRate"));
        Assert.Equal(evaluation.WordErrorRate, evaluated.Value<double>("WordErrorRate"));
        Assert.Equal(evaluation.TextAccuracy, evaluated.Value<double>("TextAccuracy"));
        Assert.Equal(3, debug.Entries.Count); // nothing after the logger was taken away
    }

    [Fact]
    public void Information_logger_is_never_called_for_a_text_readers_debug_entries()
    {
        using HandwritingTextReader reader = HandwritingTextReader.LoadPretrained();
        var info = new ListLogger(LogLevel.Information);
        reader.Logger = info;
        reader.Read(GlyphWords.Png("abc"));
        Assert.Empty(info.Entries);
        Assert.Equal(0, info.CallsWhileDisabled);
    }

    [Fact]
    public void Text_reads_count_one_image_and_one_duration_each_apart_from_character_predictions()
    {
        using HandwritingTextReader reader = HandwritingTextReader.LoadPretrained();
        using var metrics = new MetricsCollector();
        for (int i = 0; i < 3; i++)
            reader.Read(GlyphWords.Png("abc"));

        RecordedMeasurement[] counted = metrics.Of("hcr.text.reads").ToArray();
        Assert.Equal(3, counted.Sum(m => m.Value));
        RecordedMeasurement[] durations = metrics.Of("hcr.text.read.duration").ToArray();
        Assert.Equal(3, durations.Length);
        Assert.All(durations, m => Assert.InRange(m.Value, 1e-7, 60));
        Assert.All(counted.Concat(durations), m =>
        {
            Assert.Equal("onnx", m.Tag("hcr.scorer"));
            Assert.Equal("single", m.Tag("hcr.prediction.mode"));
        });
        Assert.Empty(metrics.Of("hcr.predictions"));
    }

    [Fact]
    public void Text_evaluation_counts_its_images_and_times_the_whole_call()
    {
        using var dir = new TempDirectory();
        WordImageSet words = GlyphWords.Write(dir, 5, seed: 4);
        using HandwritingTextReader reader = HandwritingTextReader.LoadPretrained();
        using var metrics = new MetricsCollector();
        TextEvaluation evaluation = reader.Evaluate(words);

        RecordedMeasurement counted = Assert.Single(metrics.Of("hcr.text.reads"));
        Assert.Equal(5, evaluation.Count);
        Assert.Equal(evaluation.Count, counted.Value);
        Assert.Equal("evaluate", counted.Tag("hcr.prediction.mode"));
        RecordedMeasurement duration = Assert.Single(metrics.Of("hcr.text.read.duration"));
        Assert.True(duration.Value > 0);
        Assert.Equal("evaluate", duration.Tag("hcr.prediction.mode"));
    }

    [Fact]
    public void TorchSharp_text_reader_tags_its_reads_torchsharp()
    {
        using HandwritingTextReader reader = HandwritingTextReader.LoadPretrained(ComputeDevice.Cpu);
        var debug = new ListLogger(LogLevel.Debug);
        reader.Logger = debug;
        using var metrics = new MetricsCollector();
        reader.Read(GlyphWords.Png("abc"));

        RecordedMeasurement counted = Assert.Single(metrics.Of("hcr.text.reads"));
        Assert.Equal("torchsharp", counted.Tag("hcr.scorer"));
        Assert.Equal("torchsharp", Assert.Single(debug.Named("Read")).Value<string>("Scorer"));
    }
}

/// <summary>
/// What a text reader's training gives an ILogger and the meter. It trains alone (<see cref="TorchRandomness"/>), so
/// that its draws from libtorch's process-wide generator change no other test's briefly trained network.
/// </summary>
[Collection(TorchRandomness.Name)]
public class TextTrainingTelemetryTests
{
    [Fact]
    public void Text_training_logs_its_start_each_epoch_and_its_end_and_records_each_epoch_as_the_recognizers_training_does()
    {
        using var dir = new TempDirectory();
        WordImageSet words = GlyphWords.Write(dir, 24, seed: 5);
        var log = new ListLogger(LogLevel.Debug);
        using var metrics = new MetricsCollector();
        using HandwritingTextReader reader = HandwritingTextReader.Create()
            .WithWordImages(words).HoldOutWriters(0.5).WithEpochs(2).WithBatchSize(8)
            .WithCheckpoints(dir.File("checkpoints"))
            .WithLogger(log)
            .Train();

        LogEntry started = Assert.Single(log.Named("Started"));
        Assert.Same(started, log.Entries[0]);
        Assert.Equal(12, started.Value<int>("TrainImages")); // writer "0" or "1": half the words
        Assert.Equal(12, started.Value<int>("ValidationImages"));
        Assert.Equal(2, started.Value<int>("Epochs"));
        Assert.Equal(TextNetworkSize.Standard, started.Value<TextNetworkSize>("NetworkSize"));
        LogEntry[] epochs = log.Named("EpochValidated").ToArray();
        Assert.Equal(reader.History.Count, epochs.Length);
        for (int i = 0; i < epochs.Length; i++)
        {
            TextEpochMetrics m = reader.History[i];
            Assert.Equal(m.Epoch, epochs[i].Value<int>("Epoch"));
            Assert.Equal(m.TrainLoss, epochs[i].Value<double>("TrainLoss"));
            Assert.Equal(m.Validation!.CharacterErrorRate, epochs[i].Value<double>("CharacterErrorRate"));
            Assert.Equal(m.LearningRate, epochs[i].Value<double>("LearningRate"));
        }
        Assert.Equal([1, 2], log.Named("CheckpointWritten").Select(e => e.Value<int>("Epoch")));
        LogEntry finished = Assert.Single(log.Named("Finished"));
        Assert.Same(finished, log.Entries[^1]);
        Assert.Equal(2, finished.Value<int>("EpochsRun"));
        Assert.Same(log, reader.Logger);

        RecordedMeasurement[] errors = metrics.Of("hcr.training.character_error_rate").ToArray();
        Assert.Equal(reader.History.Select(h => h.Validation!.CharacterErrorRate), errors.Select(m => m.Value));
        Assert.All(errors, m => Assert.Equal("text-standard", m.Tag("hcr.architecture")));
        Assert.Equal(2, metrics.Of("hcr.training.epoch.duration").Count);
        Assert.Empty(metrics.Of("hcr.training.accuracy")); // a text run has no accuracy to record
    }
}
