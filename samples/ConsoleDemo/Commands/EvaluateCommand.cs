using System.CommandLine;
using Hcr.MLNet;
using Hcr.MLNet.Data;
using Spectre.Console;

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
        command.Add(DemoOptions.Among);
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
            string? among = DemoOptions.AmongCharacters(parse, recognizer);
            RecognizerEvaluation evaluation = TrainingDisplay.Evaluate(recognizer, test);
            Reports.PrintSummary(evaluation, $"{description}: {evaluation.Count:N0} images");
            Reports.PrintDetails(evaluation);
            if (among is not null)
                PrintAmong(recognizer, test, among);
            return 0;
        }));
        return command;
    }

    /// <summary><c>--among</c>: the same images read as one of the given characters alone (as a field that may only hold them).</summary>
    private static void PrintAmong(HandwritingRecognizer recognizer, EmnistDataset test, string among)
    {
        IReadOnlyList<CharacterPrediction> predictions = recognizer.PredictTiles(test);
        int right = 0, inTop3 = 0;
        for (int i = 0; i < predictions.Count; i++)
        {
            CharacterPrediction restricted = predictions[i].RestrictedTo(among);
            char truth = test.GetCharacter(i);
            right += restricted.Character == truth ? 1 : 0;
            inTop3 += restricted.Top(3).Any(c => c.Character == truth) ? 1 : 0;
        }
        AnsiConsole.MarkupLineInterpolated(
            $"Read among {among} alone (--among): [bold]{(double)right / predictions.Count:P2}[/] ({right:N0} of {predictions.Count:N0}), top-3 {(double)inTop3 / predictions.Count:P2}.");
    }
}
