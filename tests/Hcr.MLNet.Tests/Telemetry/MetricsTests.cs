using Hcr.MLNet.Networks;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;
using SkiaSharp;
using Hcr.MLNet.Telemetry;

namespace Hcr.MLNet.Tests.Telemetry;

/// <summary>The Hcr.MLNet meter, as a MeterListener (OpenTelemetry, dotnet-counters) sees it.</summary>
[Collection(TelemetryFixture.Collection)]
public class MetricsTests(TelemetryFixture fixture)
{
    [Fact]
    public void Meter_is_named_for_the_library() => Assert.Equal("Hcr.MLNet", HcrTelemetry.MeterName);

    [Fact]
    public void Training_records_each_epochs_throughput_duration_loss_and_accuracy()
    {
        IReadOnlyList<EpochMetrics> history = fixture.Recognizer.History;
        Assert.Equal(TelemetryFixture.Epochs, history.Count);
        IReadOnlyList<RecordedMeasurement> all = fixture.TrainingMeasurements;
        RecordedMeasurement[] Of(string name, string? subset = null) =>
            all.Where(m => m.Instrument == name && (subset is null || Equals(m.Tag("hcr.subset"), subset))).ToArray();

        RecordedMeasurement[] throughput = Of("hcr.training.throughput");
        Assert.Equal(history.Select(h => h.ImagesPerSecond), throughput.Select(m => m.Value));
        Assert.All(throughput, m => Assert.True(m.Value > 0, $"{m.Value} images/s"));
        Assert.All(throughput, m =>
        {
            Assert.Equal(CnnArchitecture.Seed.Name, m.Tag("hcr.architecture"));
            Assert.Equal("cpu", m.Tag("hcr.device"));
        });
        Assert.Equal(history.Select(h => h.Duration.TotalSeconds), Of("hcr.training.epoch.duration").Select(m => m.Value));
        Assert.Equal(history.Select(h => h.TrainLoss), Of("hcr.training.loss", "train").Select(m => m.Value));
        Assert.Equal(history.Select(h => h.ValidationLoss!.Value), Of("hcr.training.loss", "validation").Select(m => m.Value));
        Assert.Equal(history.Select(h => h.TrainAccuracy), Of("hcr.training.accuracy", "train").Select(m => m.Value));
        Assert.Equal(history.Select(h => h.ValidationAccuracy!.Value), Of("hcr.training.accuracy", "validation").Select(m => m.Value));
        Assert.Equal(history.Select(h => h.ValidationMacroAccuracy!.Value), Of("hcr.training.macro_accuracy", "validation").Select(m => m.Value));
        Assert.Equal(new[] { 0.002, 0.002 }, Of("hcr.training.learning_rate").Select(m => m.Value));
        Assert.Empty(Of("hcr.predictions")); // training's validation is not counted as prediction
        // Per epoch: throughput, duration, learning rate, two losses, two accuracies, macro accuracy; nothing per batch.
        Assert.Equal(TelemetryFixture.Epochs * 8, all.Count(m => m.Instrument.StartsWith("hcr.training.", StringComparison.Ordinal)));
    }

    [Fact]
    public void Single_predictions_count_one_image_and_one_duration_each()
    {
        using var metrics = new MetricsCollector();
        for (int i = 0; i < 5; i++)
            fixture.Recognizer.PredictTile(fixture.Test.GetImage(i));
        byte[] photo = PhotoRenderer.Render(fixture.Test.GetImage(5), new Random(2), SKEncodedImageFormat.Png);
        fixture.Recognizer.Predict(photo);

        RecordedMeasurement[] counted = metrics.Of("hcr.predictions").ToArray();
        Assert.Equal(6, counted.Sum(m => m.Value));
        RecordedMeasurement[] durations = metrics.Of("hcr.prediction.duration").ToArray();
        Assert.Equal(6, durations.Length);
        Assert.All(durations, m => Assert.InRange(m.Value, 1e-7, 60));
        Assert.All(counted.Concat(durations), m =>
        {
            Assert.Equal("torchsharp", m.Tag("hcr.scorer"));
            Assert.Equal("single", m.Tag("hcr.prediction.mode"));
        });
    }

    [Fact]
    public void Batch_predictions_count_every_image_and_time_each_batch()
    {
        using var metrics = new MetricsCollector();
        IReadOnlyList<CharacterPrediction> predictions = fixture.Recognizer.PredictTiles(fixture.Test);

        Assert.Equal(300, predictions.Count);
        RecordedMeasurement[] counted = metrics.Of("hcr.predictions").ToArray();
        Assert.Equal(new[] { 256.0, 44.0 }, counted.Select(m => m.Value)); // the recognizer scores 256 tiles at a time
        RecordedMeasurement[] durations = metrics.Of("hcr.prediction.duration").ToArray();
        Assert.Equal(2, durations.Length);
        Assert.All(durations, m => Assert.True(m.Value > 0));
        Assert.All(counted.Concat(durations), m => Assert.Equal("batch", m.Tag("hcr.prediction.mode")));
    }

    [Fact]
    public void Evaluation_counts_its_images_and_times_the_whole_call()
    {
        using var metrics = new MetricsCollector();
        RecognizerEvaluation evaluation = fixture.Recognizer.Evaluate(fixture.Test);

        RecordedMeasurement counted = Assert.Single(metrics.Of("hcr.predictions"));
        Assert.Equal(evaluation.Count, counted.Value);
        Assert.Equal("evaluate", counted.Tag("hcr.prediction.mode"));
        RecordedMeasurement duration = Assert.Single(metrics.Of("hcr.prediction.duration"));
        Assert.True(duration.Value > 0);
        Assert.Equal("evaluate", duration.Tag("hcr.prediction.mode"));
    }

    [Fact]
    public void Onnx_recognizer_tags_its_predictions_onnx()
    {
        using var dir = new TempDirectory();
        fixture.Recognizer.ExportOnnx(dir.File("model.onnx"));
        using HandwritingRecognizer onnx = HandwritingRecognizer.LoadOnnx(dir.File("model.onnx"));
        using var metrics = new MetricsCollector();
        for (int i = 0; i < 3; i++)
            onnx.PredictTile(fixture.Test.GetImage(i));

        RecordedMeasurement[] counted = metrics.Of("hcr.predictions").ToArray();
        Assert.Equal(3, counted.Sum(m => m.Value));
        Assert.All(counted, m => Assert.Equal("onnx", m.Tag("hcr.scorer")));
        Assert.Equal(3, metrics.Of("hcr.prediction.duration").Count);
    }

    [Fact]
    public async Task Another_flows_measurements_are_not_collected()
    {
        // What keeps these tests apart from parallel ones: a collector sees only its own flow.
        using var metrics = new MetricsCollector();
        await Task.Run(() =>
        {
            using var other = new MetricsCollector();
            fixture.Recognizer.PredictTile(fixture.Test.GetImage(0));
            Assert.Single(other.Of("hcr.predictions"));
        });
        Assert.Empty(metrics.Measurements);
    }
}
