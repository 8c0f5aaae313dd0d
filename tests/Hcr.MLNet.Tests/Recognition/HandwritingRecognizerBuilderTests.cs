using System.Reflection;
using Hcr.MLNet.Models;
using Hcr.MLNet.Native;
using Hcr.MLNet.Tests.Telemetry;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;
using Microsoft.Extensions.Logging;

namespace Hcr.MLNet.Tests.Recognition;

/// <summary>What the builder records and in which order it applies it; nothing here trains.</summary>
public class HandwritingRecognizerBuilderTests
{
    /// <summary>Copies every writable property, as the demo once did: the bulk callback that used to undo WithSeed.</summary>
    private static void CopyAll(HandwritingCnnOptions from, HandwritingCnnOptions to)
    {
        foreach (PropertyInfo property in typeof(HandwritingCnnOptions).GetProperties().Where(p => p.CanWrite))
            property.SetValue(to, property.GetValue(from));
    }

    [Fact]
    public void Explicit_setters_win_over_a_bulk_callback_given_after_them()
    {
        var progress = new RecordingProgress<TrainingProgress>();
        var logger = new ListLogger(LogLevel.Information);
        using var cancellation = new CancellationTokenSource();
        var defaults = new HandwritingCnnOptions(); // Seed 1, Epochs 12, …: what the callback copies over everything

        HandwritingCnnOptions options = HandwritingRecognizer.Create()
            .WithSeed(7)
            .WithEpochs(3)
            .WithBatchSize(16)
            .WithArchitecture(CnnArchitecture.Seed)
            .OnDevice(ComputeDevice.Cpu)
            .ReportTo(progress)
            .WithLogger(logger)
            .WithCancellation(cancellation.Token)
            .WithTrainerOptions(o => CopyAll(defaults, o))
            .BuildOptions();

        Assert.Equal(7, options.Seed);
        Assert.Equal(3, options.Epochs);
        Assert.Equal(16, options.BatchSize);
        Assert.Same(CnnArchitecture.Seed, options.Architecture);
        Assert.Equal(ComputeDevice.Cpu, options.Device);
        Assert.Same(progress, options.Progress);
        Assert.Same(logger, options.Logger);
        Assert.Equal(cancellation.Token, options.CancellationToken);
    }

    [Fact]
    public void The_order_of_the_calls_does_not_change_the_result()
    {
        HandwritingCnnOptions setterFirst = HandwritingRecognizer.Create()
            .WithSeed(7).WithEpochs(3)
            .WithTrainerOptions(o => { o.Seed = 1; o.Epochs = 20; o.LearningRate = 0.01; })
            .BuildOptions();
        HandwritingCnnOptions setterLast = HandwritingRecognizer.Create()
            .WithTrainerOptions(o => { o.Seed = 1; o.Epochs = 20; o.LearningRate = 0.01; })
            .WithSeed(7).WithEpochs(3)
            .BuildOptions();

        foreach (HandwritingCnnOptions options in new[] { setterFirst, setterLast })
        {
            Assert.Equal(7, options.Seed);
            Assert.Equal(3, options.Epochs);
            Assert.Equal(0.01, options.LearningRate); // what the callback set and no setter touched stays
        }
    }

    [Fact]
    public void Callbacks_run_in_the_order_given_on_fresh_options_each_time()
    {
        var calls = new List<string>();
        HandwritingRecognizerBuilder builder = HandwritingRecognizer.Create()
            .WithTrainerOptions(o => { calls.Add("first"); o.WeightDecay = 0.5; o.LabelSmoothing = 0.2; })
            .WithTrainerOptions(o => { calls.Add("second"); o.WeightDecay = 0.25; });

        HandwritingCnnOptions options = builder.BuildOptions();
        Assert.Equal(["first", "second"], calls);
        Assert.Equal(0.25, options.WeightDecay);
        Assert.Equal(0.2, options.LabelSmoothing);

        options.WeightDecay = 9; // the built options are the caller's: the builder does not see this
        Assert.Equal(0.25, builder.BuildOptions().WeightDecay);
        Assert.NotSame(options, builder.BuildOptions());
    }

    [Fact]
    public void Base_options_are_copied_when_given_and_callbacks_and_setters_apply_on_top()
    {
        HandwritingCnnOptions recipe = HandwritingCnnOptions.SeedRecipe();
        recipe.Seed = 5;
        HandwritingRecognizerBuilder builder = HandwritingRecognizer.Create()
            .WithSeed(7)
            .WithTrainerOptions(o => o.Epochs = 4)
            .WithTrainerOptions(recipe);
        recipe.BatchSize = 3; // after the call: not part of what the builder was told

        HandwritingCnnOptions options = builder.BuildOptions();
        Assert.Same(CnnArchitecture.Seed, options.Architecture);
        Assert.Equal(OptimizerKind.Adam, options.Optimizer);
        Assert.Equal(512, options.BatchSize);
        Assert.Equal(4, options.Epochs);
        Assert.Equal(7, options.Seed);
    }

    [Fact]
    public void The_logger_set_with_WithLogger_wins_over_the_trainer_options_logger()
    {
        var mine = new ListLogger(LogLevel.Information);
        var theirs = new ListLogger(LogLevel.Information);
        HandwritingCnnOptions options = HandwritingRecognizer.Create()
            .WithLogger(mine)
            .WithTrainerOptions(o => o.Logger = theirs)
            .BuildOptions();
        Assert.Same(mine, options.Logger);

        // Without WithLogger, the trainer options' own logger stays.
        Assert.Same(theirs, HandwritingRecognizer.Create().WithTrainerOptions(o => o.Logger = theirs).BuildOptions().Logger);
    }

    [Fact]
    public void Nothing_set_gives_the_trainer_defaults()
    {
        HandwritingCnnOptions built = HandwritingRecognizer.Create().BuildOptions();
        var defaults = new HandwritingCnnOptions();
        Assert.Equal(defaults.Seed, built.Seed);
        Assert.Equal(defaults.Epochs, built.Epochs);
        Assert.Equal(defaults.BatchSize, built.BatchSize);
        Assert.Same(defaults.Architecture, built.Architecture);
        Assert.Null(built.Logger);
        Assert.Null(built.Progress);
    }

    [Fact]
    public void Options_are_checked_before_the_data_is_loaded_and_a_builder_trains_once()
    {
        using var dir = new TempDirectory();
        HandwritingRecognizerBuilder builder = HandwritingRecognizer.Create()
            .WithData(dir.File("no-such-folder"))
            .WithEpochs(0);

        // The bad option, not the missing folder: nothing was loaded.
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => builder.Train());
        Assert.Equal(nameof(HandwritingCnnOptions.Epochs), bad.ParamName);

        var again = Assert.Throws<InvalidOperationException>(() => builder.WithEpochs(1).Train());
        Assert.Contains("trains once", again.Message);
    }

    [Fact]
    public void Builder_without_data_is_an_error()
    {
        var e = Assert.Throws<InvalidOperationException>(() => HandwritingRecognizer.Create().Train());
        Assert.Contains("WithData", e.Message);
    }
}
