using System.CommandLine;
using Hcr.MLNet;
using Hcr.MLNet.Data;

namespace ConsoleDemo.Commands;

/// <summary><c>evaluate</c>: accuracy, macro accuracy, per-class table and most-confused pairs of a saved recognizer.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var command = new Command("evaluate", "Evaluate a saved recognizer (by default the pretrained one) on EMNIST: by default the images set aside when it was trained; or the test part, or the --holdout of a part");
        command.Add(DemoOptions.ScoringModel);
        command.Add(DemoOptions.Device);
        command.Add(Verbose.Option);
        foreach (var option in DemoOptions.DataOptions)
            command.Add(option);
        command.SetAction(parse => Program.Guard(() =>
        {
            using Verbose? verbose = Verbose.Start(parse);
            string? model = parse.GetValue(DemoOptions.ScoringModel);
            using HandwritingRecognizer recognizer = Program.LoadRecognizer(model, parse.GetValue(DemoOptions.Device));
            recognizer.Logger = verbose?.Logger;
            // Without data options, the images set aside when the model was trained; never images it was trained on.
            (EmnistDataset test, string description) = DataSelection.LoadForEvaluation(parse, recognizer, Program.DescribeModel(model));
            RecognizerEvaluation evaluation = TrainingDisplay.Evaluate(recognizer, test);
            Reports.PrintSummary(evaluation, $"{description}: {evaluation.Count:N0} images");
            Reports.PrintDetails(evaluation);
            return 0;
        }));
        return command;
    }
}
