using System.CommandLine;
using Hcr.MLNet;
using Hcr.MLNet.Data;

namespace ConsoleDemo.Commands;

/// <summary><c>evaluate</c>: accuracy, macro accuracy, per-class table and most-confused pairs of a saved recognizer.</summary>
internal static class EvaluateCommand
{
    private static readonly Option<string?> Photos = new("--photos")
    {
        Description = "Evaluate on photos instead of EMNIST: the SSE-letters folder (frames/*.jpg, printed grids filled in by hand), every letter of every photo whose 15 letters are found",
    };

    private static readonly Option<string?> TestTimeRotations = new("--test-time-rotations")
    {
        Description = "Score with these turned views besides the upright image, comma-separated degrees, or none for the upright image alone (default: the recognizer's own; a .hcr file only)",
    };

    public static Command Create()
    {
        TestTimeRotations.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is string text && TrainCommand.RotationsError(text) is string error)
                result.AddError(error);
        });
        var command = new Command("evaluate", "Evaluate a saved recognizer (by default the pretrained one) on EMNIST: by default the images set aside when it was trained; or the test part, or the --holdout of a part");
        command.Add(DemoOptions.ScoringModel);
        command.Add(DemoOptions.Device);
        command.Add(Photos);
        command.Add(TestTimeRotations);
        command.Add(Verbose.Option);
        foreach (var option in DemoOptions.DataOptions)
            command.Add(option);
        command.SetAction(parse => Program.Guard(() =>
        {
            using Verbose? verbose = Verbose.Start(parse);
            string? model = parse.GetValue(DemoOptions.ScoringModel);
            using HandwritingRecognizer loaded = Program.LoadRecognizer(model, parse.GetValue(DemoOptions.Device));
            using HandwritingRecognizer? turned = TrainCommand.ParseRotations(parse.GetValue(TestTimeRotations)) is { } angles
                ? loaded.WithTestTimeRotations(angles)
                : null;
            HandwritingRecognizer recognizer = turned ?? loaded;
            recognizer.Logger = verbose?.Logger;
            // Without data options, the images set aside when the model was trained; never images it was trained on.
            EmnistDataset test;
            string description;
            if (parse.GetValue(Photos) is string photos)
            {
                (EmnistDataset first, EmnistDataset second, description) = SseLetterCells.LoadShowingProgress(photos, recognizer, seed: 0);
                test = first.Concat(second);
            }
            else
            {
                (test, description) = DataSelection.LoadForEvaluation(parse, recognizer, Program.DescribeModel(model));
            }
            RecognizerEvaluation evaluation = TrainingDisplay.Evaluate(recognizer, test);
            Reports.PrintSummary(evaluation, $"{description}: {evaluation.Count:N0} images");
            Reports.PrintDetails(evaluation);
            return 0;
        }));
        return command;
    }
}
