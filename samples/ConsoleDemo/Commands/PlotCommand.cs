using System.CommandLine;
using Hcr.MLNet;
using Hcr.MLNet.Data;
using Spectre.Console;

namespace ConsoleDemo.Commands;

/// <summary>
/// <c>plot</c>: redraws a saved recognizer's curves, sample grid and confusion heat map, the last from the evaluation saved
/// with it when there is one (evaluating again only for data named on the command line, or a model saved without one).
/// </summary>
internal static class PlotCommand
{
    public static Command Create()
    {
        var command = new Command("plot", "Draw the training curves, the first-15 test images and the confusion heat map of a saved recognizer");
        command.Add(DemoOptions.Model);
        foreach (var option in DemoOptions.DataOptions)
            command.Add(option);
        command.SetAction(parse => Program.Guard(() =>
        {
            string model = parse.GetValue(DemoOptions.Model)!;
            using HandwritingRecognizer recognizer = HandwritingRecognizer.Load(model);
            (EmnistDataset test, _) = DataSelection.LoadForEvaluation(parse, recognizer, model);
            // The evaluation saved with the model is of the images set aside for it: drawn as it is, unless other data was named.
            RecognizerEvaluation? carried = DataSelection.Given(parse) ? null : recognizer.TestEvaluation;
            if (carried is not null)
                AnsiConsole.MarkupLineInterpolated($"The confusion heat map from the evaluation saved with the model ({carried}).");
            foreach (string plot in Reports.WritePlots(recognizer, test, carried ?? TrainingDisplay.Evaluate(recognizer, test), model))
                AnsiConsole.MarkupLineInterpolated($"Plot: [blue]{plot}[/]");
            return 0;
        }));
        return command;
    }
}
