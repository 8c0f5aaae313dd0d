using System.CommandLine;
using System.Globalization;
using Hcr.MLNet;
using Hcr.MLNet.Native;
using Hcr.MLNet.Training;
using Spectre.Console;

namespace ConsoleDemo.Commands;

/// <summary><c>train</c>: trains a recognizer with live progress, saves it, evaluates it, and draws the plots.</summary>
internal static class TrainCommand
{
    private static readonly Option<string> Recipe = new("--recipe")
    {
        Description = "standard (the library's default: modern CNN, augmentation, one-cycle) or seed (the original notebook: seed CNN, 20 epochs, batch 512, Adam)",
        DefaultValueFactory = _ => "standard",
    };

    private static readonly Option<int?> Epochs = new("--epochs") { Description = "Passes over the training data (default: the recipe's)" };
    private static readonly Option<int?> BatchSize = new("--batch-size") { Description = "Images per step (default: the recipe's)" };
    private static readonly Option<double?> WeightDecay = new("--weight-decay") { Description = "Weight decay (default: the recipe's)" };
    private static readonly Option<double?> LabelSmoothing = new("--label-smoothing") { Description = "Label smoothing of the cross-entropy target (default: the recipe's)" };
    private static readonly Option<double?> WeightAverageDecay = new("--weight-average-decay") { Description = "Decay per step of the weight average that is returned; 0 returns the last weights (default: the recipe's)" };
    private static readonly Option<AugmentationLevel?> Augmentation = new("--augmentation") { Description = "none, light or strong (default: the recipe's)" };
    private static readonly Option<ClassSampling?> Sampling = new("--sampling") { Description = "natural, balanced or logitadjusted (default: the recipe's)" };
    private static readonly Option<string?> TestTimeRotations = new("--test-time-rotations") { Description = "Angles in degrees of the turned copies of each image scored besides it, comma-separated (e.g. -5,5), or none (default: the recipe's)" };
    private static readonly Option<double?> Validation = new("--validation") { Description = "Fraction of the training data held out for per-epoch validation (default 0.1)" };
    private static readonly Option<string?> SyntheticFonts = new("--synthetic-fonts")
    {
        Description = "A folder of handwriting fonts (.ttf, .otf): adds characters written in them and photographed to the training images",
    };
    private static readonly Option<int> FontCharacters = new("--font-characters")
    {
        Description = "How many characters of each class --synthetic-fonts adds",
        DefaultValueFactory = _ => HandwritingRecognizerBuilder.DefaultFontCharactersPerClass,
    };
    private static readonly Option<int> Seed = new("--seed") { Description = "Random seed", DefaultValueFactory = _ => 1 };
    private static readonly Option<int?> Threads = new("--threads") { Description = "CPU threads (default: all cores)" };
    private static readonly Option<string?> Checkpoint = new("--checkpoint") { Description = "Folder for per-epoch checkpoints; rerunning the same command resumes" };
    private static readonly Option<string> Output = new("--output", "-o") { Description = "Where to save the recognizer", DefaultValueFactory = _ => "model.hcr" };

    public static Command Create()
    {
        Recipe.AcceptOnlyFromAmong("standard", "seed");
        // Checked while parsing, so that a wrong number fails at once, naming its flag, before data and libtorch load.
        DemoOptions.Require(Epochs, e => e >= 1, "at least 1");
        DemoOptions.Require(BatchSize, b => b >= 2, "at least 2 (batch norm needs two images)");
        DemoOptions.Require(WeightDecay, w => w >= 0, "0 or more");
        DemoOptions.Require(LabelSmoothing, l => l >= 0 && l < 1, "at least 0 and below 1");
        DemoOptions.Require(WeightAverageDecay, d => d >= 0 && d < 1, "at least 0 and below 1");
        DemoOptions.Require(Validation, v => v >= 0 && v < 1, "at least 0 and below 1");
        DemoOptions.Require(Threads, t => t >= 1, "at least 1");
        DemoOptions.Require(FontCharacters, n => n >= 1, "at least 1");
        TestTimeRotations.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is string text && RotationsError(text) is string error)
                result.AddError(error);
        });
        var command = new Command("train", "Train a recognizer on EMNIST, evaluate it, save it and plot its curves");
        foreach (Option option in DemoOptions.DataOptions)
            command.Add(option);
        foreach (Option option in new Option[] { Recipe, Epochs, BatchSize, WeightDecay, LabelSmoothing, WeightAverageDecay, Augmentation, Sampling, TestTimeRotations, Validation, SyntheticFonts, FontCharacters, DemoOptions.Device, Seed, Threads, Checkpoint, Output, Verbose.Option })
            command.Add(option);
        command.SetAction((parse, cancellation) => Task.FromResult(Program.Guard(() => Run(parse, cancellation))));
        return command;
    }

    private static int Run(ParseResult parse, CancellationToken cancellation)
    {
        HandwritingCnnOptions options = parse.GetValue(Recipe) == "seed" ? HandwritingCnnOptions.SeedRecipe() : new HandwritingCnnOptions();
        options.Epochs = parse.GetValue(Epochs) ?? options.Epochs;
        options.BatchSize = parse.GetValue(BatchSize) ?? options.BatchSize;
        options.WeightDecay = parse.GetValue(WeightDecay) ?? options.WeightDecay;
        options.LabelSmoothing = parse.GetValue(LabelSmoothing) ?? options.LabelSmoothing;
        options.WeightAverageDecay = parse.GetValue(WeightAverageDecay) ?? options.WeightAverageDecay;
        options.Augmentation = parse.GetValue(Augmentation) ?? options.Augmentation;
        options.Sampling = parse.GetValue(Sampling) ?? options.Sampling;
        options.TestTimeRotations = ParseRotations(parse.GetValue(TestTimeRotations)) ?? options.TestTimeRotations;
        options.ValidationFraction = parse.GetValue(Validation) ?? options.ValidationFraction;
        options.Device = parse.GetValue(DemoOptions.Device);
        options.Threads = parse.GetValue(Threads);
        options.CheckpointDirectory = parse.GetValue(Checkpoint);
        options.CancellationToken = cancellation;
        int seed = parse.GetValue(Seed);
        string output = parse.GetValue(Output)!;
        // Before the data and the runtime load: a path that cannot be written must not cost a training run
        // (the trainer checks --checkpoint the same way before its first epoch).
        HandwritingRecognizer.CheckSavePath(output);
        using Verbose? verbose = Verbose.Start(parse);

        DataSelection data = DataSelection.LoadForTraining(parse);
        TorchRuntimeStatus runtime = TorchRuntime.EnsureInitialized();
        AnsiConsole.MarkupLineInterpolated($"[bold]Data[/]    {data.Description}: {data.Train.Count:N0} training images, {data.Test?.Count ?? 0:N0} test images, {data.Train.ClassCount} classes");
        AnsiConsole.MarkupLineInterpolated($"[bold]Network[/] {options.Architecture.Description}");
        AnsiConsole.MarkupLineInterpolated($"[bold]Recipe[/]  {Text.Count(options.Epochs, "epoch")}, batch {options.BatchSize}, {options.Optimizer} lr {Text.Number(options.LearningRate)} ({options.LearningRateSchedule}), weight decay {Text.Number(options.WeightDecay)}, augmentation {options.Augmentation}, sampling {options.Sampling}, label smoothing {Text.Number(options.LabelSmoothing)}, weight average {(options.WeightAverageDecay > 0 ? Text.Number(options.WeightAverageDecay) : "off")}, test-time rotations {(options.TestTimeRotations.Count > 0 ? string.Join(", ", options.TestTimeRotations.Select(a => a.ToString("+0.##;-0.##", CultureInfo.InvariantCulture) + "°")) : "none")}");
        AnsiConsole.MarkupLineInterpolated($"[bold]Runtime[/] {Summary(runtime)}");
        if (verbose is not null)
            AnsiConsole.MarkupLineInterpolated($"[grey]{runtime}[/]");

        string? fonts = parse.GetValue(SyntheticFonts);
        if (fonts is not null)
            AnsiConsole.MarkupLineInterpolated($"[bold]Fonts[/]   {parse.GetValue(FontCharacters):N0} characters of each class written in the fonts of {Path.GetFullPath(fonts)} and photographed, added to the training images (written before the first epoch)");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        using HandwritingRecognizer recognizer = TrainingDisplay.Run(options.Epochs, progress =>
        {
            // The recipe and flags as the starting values, then the settings the demo adds on top.
            HandwritingRecognizerBuilder builder = HandwritingRecognizer.Create().WithData(data.Train, data.Test)
                .WithTrainerOptions(options).WithSeed(seed).ReportTo(progress);
            if (verbose is not null)
                builder.WithLogger(verbose.Logger);
            if (fonts is not null)
                builder.WithSyntheticFonts(fonts, parse.GetValue(FontCharacters));
            return builder.Train();
        });
        TimeSpan elapsed = clock.Elapsed;

        AnsiConsole.Write(TrainingDisplay.EpochTable(recognizer.History));
        AnsiConsole.MarkupLineInterpolated($"Trained and evaluated in {TrainingDisplay.Format(elapsed)}.");
        recognizer.Save(output);
        AnsiConsole.MarkupLineInterpolated($"Saved the recognizer to [blue]{Path.GetFullPath(output)}[/].");
        if (recognizer.TestEvaluation is { } evaluation)
            Reports.PrintSummary(evaluation, $"Evaluation on {evaluation.Count:N0} held-out images");
        foreach (string plot in Reports.WritePlots(recognizer, data.Test, recognizer.TestEvaluation, output))
            AnsiConsole.MarkupLineInterpolated($"Plot: [blue]{plot}[/]");
        return 0;
    }

    /// <summary>One short line: "libtorch 2.10.0 (CPU), shim patched, allocator tuned"; the paths are for --verbose.</summary>
    private static string Summary(TorchRuntimeStatus runtime)
    {
        var parts = new List<string> { $"libtorch {runtime.LibTorchVersion ?? "(version unknown)"} ({(runtime.CudaAvailable ? "CPU, CUDA available" : "CPU")})" };
        if (runtime.WeakenedVersions.Count > 0)
            parts.Add("shim patched");
        parts.Add(runtime.Allocator switch
        {
            AllocatorTuning.Applied => "allocator tuned",
            AllocatorTuning.Refused => "allocator tuning refused",
            _ => "allocator as is",
        });
        return string.Join(", ", parts);
    }

    /// <summary>"-5,5" → [-5, 5]; "none" → []; null (option not given) → null. The parser has run <see cref="RotationsError"/> on the text.</summary>
    internal static double[]? ParseRotations(string? text) => text is not null && TryParseRotations(text, out double[] angles) ? angles : null;

    /// <summary>What is wrong with a --test-time-rotations value, in the trainer's limits; null when nothing is.</summary>
    internal static string? RotationsError(string text)
    {
        if (!TryParseRotations(text, out double[] angles))
            return $"--test-time-rotations takes comma-separated angles in degrees (for example -5,5) or none, not '{text}'.";
        if (angles.Length > HandwritingCnnOptions.MaxTestTimeRotations)
            return $"--test-time-rotations takes at most {HandwritingCnnOptions.MaxTestTimeRotations} angles (each costs a pass of the network), not {angles.Length}.";
        foreach (double angle in angles)
        {
            if (angle == 0 || !(Math.Abs(angle) <= HandwritingCnnOptions.MaxTestTimeAngle))
            {
                return $"--test-time-rotations angles must be nonzero and at most {HandwritingCnnOptions.MaxTestTimeAngle.ToString(CultureInfo.InvariantCulture)} degrees " +
                    $"either way (the upright image is always scored), not {angle.ToString(CultureInfo.InvariantCulture)}.";
            }
        }
        return null;
    }

    private static bool TryParseRotations(string text, out double[] angles)
    {
        angles = [];
        if (text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase))
            return true;
        string[] items = text.Split(',', StringSplitOptions.TrimEntries);
        var parsed = new double[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            if (!double.TryParse(items[i], NumberStyles.Float, CultureInfo.InvariantCulture, out parsed[i]) || !double.IsFinite(parsed[i]))
                return false;
        }
        angles = parsed;
        return true;
    }
}
