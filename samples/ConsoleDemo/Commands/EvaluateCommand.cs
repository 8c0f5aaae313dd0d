using System.CommandLine;
using Hcr.MLNet;

namespace ConsoleDemo.Commands;

/// <summary><c>evaluate</c>: accuracy, macro accuracy, per-class table and most-confused pairs of a saved recognizer.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var command = new Command("evaluate", "Evaluate a saved recognizer (by default the pretrained one) on EMNIST (the test part, or the --holdout of a part)");
        command.Add(DemoOptions.ScoringModel);
        command.Add(DemoOptions.Device);
        command.Add(Verbose.Option);
        foreach (var option in DemoOptions.DataOptions)
            command.Add(option);
        command.SetAction(parse => Program.Guard(() =>
        {
            using Verbose? verbose = Verbose.Start(parse);
            using HandwritingRecognizer recognizer = Program.LoadRecognizer(parse.GetValue(DemoOptions.ScoringModel), parse.GetValue(DemoOptions.Device));
            recognizer.Logger = verbose?.Logger;
            DataSelection data = DataSelection.Load(parse, needTrain: false);
            var test = data.Test ?? data.Train;
            RecognizerEvaluation evaluation = recognizer.Evaluate(test);
            Reports.PrintSummary(evaluation, $"{data.Description}: {evaluation.Count:N0} images");
            Reports.PrintDetails(evaluation);
            return 0;
        }));
        return command;
    }
}
