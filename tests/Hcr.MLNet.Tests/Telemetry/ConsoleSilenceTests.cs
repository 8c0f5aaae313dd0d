using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;
using Microsoft.Extensions.Logging;

namespace Hcr.MLNet.Tests.Telemetry;

/// <summary>
/// The console belongs to the application: a library that wrote to it would break a demo's live display
/// or a service's structured stdout. Console redirection is process-wide, so this runs alone.
/// </summary>
[Collection(Name)]
public class ConsoleSilenceTests
{
    public const string Name = "Console redirected";

    [Fact]
    public void Training_prediction_and_evaluation_write_nothing_to_the_console_even_when_logging()
    {
        TextWriter originalOut = Console.Out, originalError = Console.Error;
        using var output = new StringWriter();
        var log = new ListLogger(LogLevel.Trace);
        Console.SetOut(output);
        Console.SetError(output);
        try
        {
            var data = SyntheticGlyphs.Create(20);
            using HandwritingRecognizer recognizer = HandwritingRecognizer.Create()
                .WithData(data, data)
                .WithArchitecture(CnnArchitecture.Seed)
                .WithEpochs(1)
                .WithBatchSize(32)
                .OnDevice(ComputeDevice.Cpu)
                .WithLogger(log)
                .WithTrainerOptions(o =>
                {
                    o.Augmentation = AugmentationLevel.None;
                    o.ValidationFraction = 0.25;
                    o.Threads = 1;
                })
                .Train();
            recognizer.PredictTile(data.GetImage(0));
            recognizer.PredictTiles(data);
        }
        finally
        {
            Console.SetOut(originalOut);
            Console.SetError(originalError);
        }
        Assert.NotEmpty(log.Named("EpochValidated")); // the run did log, to the logger
        Assert.NotEmpty(log.Named("Evaluated"));
        Assert.Equal("", output.ToString());
    }
}

[CollectionDefinition(ConsoleSilenceTests.Name, DisableParallelization = true)]
public sealed class ConsoleRedirection;
