using System.CommandLine;
using System.Globalization;
using Hcr.MLNet;
using Hcr.MLNet.Data;
using Hcr.MLNet.Imaging;
using Spectre.Console;

namespace ConsoleDemo.Commands;

/// <summary><c>finetune</c>: teaches a saved recognizer your own handwriting from a folder of photos, one subfolder per character.</summary>
internal static class FineTuneCommand
{
    private static readonly Option<string> Images = new("--images")
    {
        Description = "Folder with one subfolder per character (named by it, or U+XXXX), holding photos or scans of that character",
        Required = true,
    };

    private static readonly Option<bool> FreezeFeatures = new("--freeze-features") { Description = "Train only the output layer; every other layer keeps the base's weights" };
    private static readonly Option<int?> Epochs = new("--epochs") { Description = "Passes over your images (default 20)" };

    /// <summary>The epochs StartingFrom starts from when --epochs is not given.</summary>
    private const int DefaultEpochs = 20;
    private static readonly Option<double?> Holdout = new("--holdout") { Description = "Fraction of your images (per character) kept aside to evaluate on, e.g. 0.2 (default: none)" };
    private static readonly Option<bool> SkipUnusable = new("--skip-unusable") { Description = "Leave out images that cannot be read (listed) instead of stopping at the first" };
    private static readonly Option<int> Seed = new("--seed") { Description = "Random seed", DefaultValueFactory = _ => 1 };
    private static readonly Option<string> Output = new("--output", "-o") { Description = "Where to save the fine-tuned recognizer", DefaultValueFactory = _ => "mine.hcr" };

    public static Command Create()
    {
        DemoOptions.Require(Epochs, e => e >= 1, "at least 1");
        DemoOptions.Require(Holdout, h => h > 0 && h < 1, "between 0 and 1");
        var command = new Command("finetune", "Fine-tune a recognizer (a .hcr file, or the pretrained one) on your own images: a folder with one subfolder per character");
        foreach (Option option in new Option[] { Images, DemoOptions.BaseModel, FreezeFeatures, Epochs, Holdout, SkipUnusable, DemoOptions.Device, Seed, Output, Verbose.Option })
            command.Add(option);
        command.SetAction((parse, cancellation) => Task.FromResult(Program.Guard(() => Run(parse, cancellation))));
        return command;
    }

    private static int Run(ParseResult parse, CancellationToken cancellation)
    {
        using Verbose? verbose = Verbose.Start(parse);
        string? modelPath = parse.GetValue(DemoOptions.BaseModel);
        string output = parse.GetValue(Output)!;
        // Before any work: a path that cannot be written must not cost the fine-tuning run.
        HandwritingRecognizer.CheckSavePath(output);
        // The pretrained base scores on ONNX Runtime (for the held-out comparison) and gives its weights to the fine-tuning.
        using HandwritingRecognizer baseRecognizer = modelPath is null ? HandwritingRecognizer.LoadPretrained() : Program.LoadRecognizer(modelPath, parse.GetValue(DemoOptions.Device));
        AnsiConsole.MarkupLineInterpolated($"[bold]Base[/]    {Program.DescribeModel(modelPath)}: {baseRecognizer.Classes.Count} classes, {baseRecognizer.Network?.Architecture.Name ?? "ONNX"}");

        LabeledImageFolder folder = AnsiConsole.Progress().Start(context =>
        {
            ProgressTask task = context.AddTask("Reading images");
            try
            {
                return LabeledImageFolder.Load(parse.GetValue(Images)!, new LabeledImageFolderOptions
                {
                    Preprocessing = baseRecognizer.Preprocessing, // tiles exactly as the recognizer will see photos
                    SkipUnusable = parse.GetValue(SkipUnusable),
                    CancellationToken = cancellation,
                    Progress = new Progress<LabeledImageFolderProgress>(p =>
                    {
                        task.MaxValue = p.Total;
                        task.Value = p.Done;
                    }),
                });
            }
            catch (UnusableImageException e)
            {
                // The library names the file and the problem; the way on without it is this command's option.
                throw new DemoException($"{e.Message} Fix or remove the file, or add {SkipUnusable.Name} to leave out every image that cannot be used (each is listed).");
            }
        });
        foreach (SkippedImage skipped in folder.Skipped)
            AnsiConsole.MarkupLineInterpolated($"[yellow]Skipped[/] {skipped.Path}: {skipped.Reason}");
        EmnistDataset all = folder.Dataset;
        string[] added = all.Classes.Except(baseRecognizer.Classes).Select(c => c.ToString()).ToArray();
        AnsiConsole.MarkupLineInterpolated($"[bold]Images[/]  {all.Count:N0} of {all.ClassCount} characters from {folder.Directory}{(added.Length > 0 ? $"; new to the base: {string.Join(" ", added)}" : "")}");

        (EmnistDataset train, EmnistDataset? test) = parse.GetValue(Holdout) is double holdout ? all.Split(1 - holdout, EmnistSelection.DefaultSeed) : (all, null);
        // An evaluation of no images reported "accuracy 0.00%": say instead why nothing was held out, before training.
        if (test is { Count: 0 })
        {
            throw new DemoException(string.Create(CultureInfo.InvariantCulture,
                $"--holdout {parse.GetValue(Holdout)} holds out no image: each character's share is rounded, and {all.Count:N0} images of {all.ClassCount} characters leave none to hold out. Add images (two or more per character), or leave out --holdout."));
        }
        // After the checks that stop the run, so that a command that cannot run says only why.
        WarnOfDroppedClasses(baseRecognizer, all, folder.Directory);
        var options = new FineTuningOptions { FreezeFeatures = parse.GetValue(FreezeFeatures) };
        int? epochs = parse.GetValue(Epochs);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using HandwritingRecognizer tuned = TrainingDisplay.Run(epochs ?? DefaultEpochs, progress =>
        {
            HandwritingRecognizerBuilder builder = HandwritingRecognizer.Create()
                .StartingFrom(baseRecognizer, options)
                .WithData(train, test)
                .OnDevice(parse.GetValue(DemoOptions.Device))
                .WithSeed(parse.GetValue(Seed))
                .WithCancellation(cancellation)
                .ReportTo(progress);
            if (epochs is int n)
                builder.WithEpochs(n);
            if (verbose is not null)
                builder.WithLogger(verbose.Logger);
            return builder.Train();
        });
        AnsiConsole.MarkupLineInterpolated($"Fine-tuned in {TrainingDisplay.Format(clock.Elapsed)}.");
        if (test is not null && all.Classes.All(baseRecognizer.Classes.Contains))
            Reports.PrintSummary(TrainingDisplay.Evaluate(baseRecognizer, test), $"Base on {test.Count:N0} held-out images of yours");
        if (tuned.TestEvaluation is { } evaluation)
            Reports.PrintSummary(evaluation, $"Fine-tuned on {evaluation.Count:N0} held-out images of yours");
        tuned.Save(output);
        AnsiConsole.MarkupLineInterpolated($"Saved the recognizer ({Text.Count(tuned.Classes.Count, "character")}: {string.Join(" ", tuned.Classes)}) to [blue]{Path.GetFullPath(output)}[/].");
        return 0;
    }

    /// <summary>
    /// A recognizer reads only the characters it was fine-tuned on, which are the class folders: a folder of a few of the
    /// base's characters makes a recognizer of those few. That can be what is wanted (digits only, say), so it is not an
    /// error; but it must not pass unseen, so it is said on stderr, before the training, with what is kept and dropped.
    /// </summary>
    private static void WarnOfDroppedClasses(HandwritingRecognizer baseRecognizer, EmnistDataset data, string folder)
    {
        char[] dropped = baseRecognizer.Classes.Except(data.Classes).ToArray();
        if (dropped.Length == 0)
            return;
        Console.Error.WriteLine(
            $"warning: the fine-tuned recognizer will read only the {Text.Count(data.ClassCount, "character")} of {folder} ({string.Join(" ", data.Classes)}), " +
            $"and none of the base's other {dropped.Length} ({string.Join(" ", dropped)}): it learns the characters it has images of. " +
            "To keep a character, add a subfolder of your images of it.");
    }
}
