using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Hcr.MLNet.Tests.Telemetry;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;
using Microsoft.Extensions.Logging;

namespace Hcr.MLNet.Tests.Characters;

/// <summary>The builder holds one set of trainer options that every call writes to; nothing here trains.</summary>
public class HandwritingRecognizerBuilderTests
{
    [Fact]
    public void Every_setter_writes_the_one_set_of_options()
    {
        var progress = new RecordingProgress<TrainingProgress>();
        var logger = new ListLogger(LogLevel.Information);
        using var cancellation = new CancellationTokenSource();

        HandwritingCnnOptions options = HandwritingRecognizer.Create()
            .WithSeed(7)
            .WithEpochs(3)
            .WithBatchSize(16)
            .WithArchitecture(CnnArchitecture.Seed)
            .OnDevice(ComputeDevice.Cpu)
            .ReportTo(progress)
            .WithLogger(logger)
            .WithCancellation(cancellation.Token)
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
    public void A_setter_and_a_callback_write_the_same_store_and_the_last_call_wins()
    {
        HandwritingCnnOptions setterFirst = HandwritingRecognizer.Create()
            .WithSeed(7).WithEpochs(3)
            .WithTrainerOptions(o => { o.Seed = 1; o.Epochs = 20; o.LearningRate = 0.01; })
            .BuildOptions();
        Assert.Equal((1, 20, 0.01), (setterFirst.Seed, setterFirst.Epochs, setterFirst.LearningRate));

        HandwritingCnnOptions setterLast = HandwritingRecognizer.Create()
            .WithTrainerOptions(o => { o.Seed = 1; o.Epochs = 20; o.LearningRate = 0.01; })
            .WithSeed(7).WithEpochs(3)
            .BuildOptions();
        Assert.Equal((7, 3, 0.01), (setterLast.Seed, setterLast.Epochs, setterLast.LearningRate));

        var mine = new ListLogger(LogLevel.Information);
        var theirs = new ListLogger(LogLevel.Information);
        Assert.Same(theirs, HandwritingRecognizer.Create().WithLogger(mine).WithTrainerOptions(o => o.Logger = theirs).BuildOptions().Logger);
        Assert.Same(mine, HandwritingRecognizer.Create().WithTrainerOptions(o => o.Logger = theirs).WithLogger(mine).BuildOptions().Logger);
    }

    [Fact]
    public void Callbacks_run_when_given_and_the_built_options_are_a_copy()
    {
        var calls = new List<string>();
        HandwritingRecognizerBuilder builder = HandwritingRecognizer.Create()
            .WithTrainerOptions(o => { calls.Add("first"); o.WeightDecay = 0.5; o.LabelSmoothing = 0.2; })
            .WithTrainerOptions(o => { calls.Add("second"); o.WeightDecay = 0.25; });
        Assert.Equal(["first", "second"], calls); // recorded now, not replayed at Train

        HandwritingCnnOptions options = builder.BuildOptions();
        Assert.Equal(["first", "second"], calls);
        Assert.Equal(0.25, options.WeightDecay);
        Assert.Equal(0.2, options.LabelSmoothing);

        options.WeightDecay = 9; // the built options are the caller's: the builder does not see this
        Assert.Equal(0.25, builder.BuildOptions().WeightDecay);
        Assert.NotSame(options, builder.BuildOptions());
    }

    [Fact]
    public void A_recipe_is_copied_as_the_starting_values_and_comes_before_any_setting()
    {
        HandwritingCnnOptions recipe = HandwritingCnnOptions.SeedRecipe();
        recipe.Seed = 5;
        HandwritingRecognizerBuilder builder = HandwritingRecognizer.Create()
            .WithTrainerOptions(recipe)
            .WithSeed(7)
            .WithTrainerOptions(o => o.Epochs = 4);
        recipe.BatchSize = 3; // after the call: not part of what the builder was told

        HandwritingCnnOptions options = builder.BuildOptions();
        Assert.Same(CnnArchitecture.Seed, options.Architecture);
        Assert.Equal(OptimizerKind.Adam, options.Optimizer);
        Assert.Equal(512, options.BatchSize);
        Assert.Equal(4, options.Epochs);
        Assert.Equal(7, options.Seed);

        // After a setting, a recipe would discard it: an error, not a silent loss.
        var e = Assert.Throws<InvalidOperationException>(() => HandwritingRecognizer.Create().WithEpochs(3).WithTrainerOptions(recipe));
        Assert.Contains("WithTrainerOptions", e.Message, StringComparison.Ordinal);
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
