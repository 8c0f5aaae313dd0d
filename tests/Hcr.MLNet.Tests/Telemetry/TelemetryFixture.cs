using Hcr.MLNet.Data;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;
using Microsoft.Extensions.Logging;

namespace Hcr.MLNet.Tests.Telemetry;

/// <summary>
/// One tiny training run (the seed network, 4 classes, 2 epochs, a quarter held out for validation),
/// watched by a logger and a meter listener; the tests read what they caught and predict with the result.
/// Shared by the telemetry test classes, which therefore run one after the other (some set the recognizer's logger).
/// </summary>
public sealed class TelemetryFixture : IDisposable
{
    public const string Collection = "Telemetry";

    public const int Epochs = 2;
    public const int BatchSize = 32;

    public TelemetryFixture()
    {
        Train = SyntheticGlyphs.Create(40);
        Test = SyntheticGlyphs.Create(75, seed: 19);
        TrainingLogger = new ListLogger(LogLevel.Information);
        using var metrics = new MetricsCollector();
        Recognizer = HandwritingRecognizer.Create()
            .WithData(Train)
            .WithArchitecture(CnnArchitecture.Seed)
            .WithEpochs(Epochs)
            .WithBatchSize(BatchSize)
            .OnDevice(ComputeDevice.Cpu)
            .WithLogger(TrainingLogger)
            .WithTrainerOptions(o =>
            {
                o.Optimizer = OptimizerKind.Adam;
                o.LearningRate = 0.002;
                o.LearningRateSchedule = LearningRateSchedule.Constant;
                o.Augmentation = AugmentationLevel.None;
                o.Sampling = ClassSampling.Natural;
                o.TestTimeRotations = [];
                o.ValidationFraction = 0.25;
                o.Threads = 1;
            })
            .Train();
        TrainingMeasurements = metrics.Measurements;
        // The builder's logger stays with the recognizer; these tests give it their own when they want one.
        Recognizer.Logger = null;
    }

    public EmnistDataset Train { get; }

    /// <summary>300 tiles: more than one of the recognizer's 256-image scoring batches.</summary>
    public EmnistDataset Test { get; }

    public HandwritingRecognizer Recognizer { get; }

    public ListLogger TrainingLogger { get; }

    public IReadOnlyList<RecordedMeasurement> TrainingMeasurements { get; }

    public void Dispose() => Recognizer.Dispose();
}

[CollectionDefinition(TelemetryFixture.Collection)]
public sealed class SharedTelemetryRun : ICollectionFixture<TelemetryFixture>;
