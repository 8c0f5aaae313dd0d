using System.CommandLine;
using Hcr.MLNet;
using Hcr.MLNet.Data;
using Hcr.MLNet.Native;
using Spectre.Console;

namespace ConsoleDemo.Commands;

/// <summary>
/// <c>calibrate</c>: fits the recognizer's confidence temperature on half of its held-out images and shows, on the
/// other half, what it changes (calibration error, log-loss; top-1/3/5 stay), then saves the calibrated recognizer.
/// </summary>
internal static class CalibrateCommand
{
    private static readonly Option<string> Output = new("--output", "-o")
    {
        Description = "Where to save the calibrated recognizer (.hcr)",
        Required = true,
    };

    private static readonly Option<string?> Photos = new("--photos")
    {
        Description = "Calibrate on photos instead of EMNIST: the SSE-letters folder (frames/*.jpg, printed grids filled in by hand); fitted on half of the photos, measured on the other half",
    };

    /// <summary>Splits the held-out images into the half that fits the temperature and the half that measures it; fixed, so that a rerun measures the same images.</summary>
    private const int HalvesSeed = 2025;

    public static Command Create()
    {
        var command = new Command("calibrate", "Calibrate a recognizer's confidence (temperature scaling) on held-out EMNIST images, by default the images set aside when it was trained; report before and after on half of them, save the result");
        command.Add(DemoOptions.ScoringModel);
        command.Add(Output);
        command.Add(Photos);
        command.Add(Verbose.Option);
        foreach (var option in DemoOptions.DataOptions)
            command.Add(option);
        command.SetAction(parse => Program.Guard(() =>
        {
            using Verbose? verbose = Verbose.Start(parse);
            string? model = parse.GetValue(DemoOptions.ScoringModel);
            string output = parse.GetValue(Output)!;
            if (model is not null && Path.GetExtension(model).Equals(".onnx", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"{model}: calibrate a recognizer file (.hcr), then export it with export-onnx; an ONNX file keeps the temperature it was exported with.");
            // The TorchSharp network, so that the calibrated recognizer can be saved (the pretrained one on ONNX Runtime writes only its shipped files).
            using HandwritingRecognizer recognizer = Program.LoadRecognizer(model, ComputeDevice.Cpu);
            HandwritingRecognizer.CheckSavePath(output);
            recognizer.Logger = verbose?.Logger;
            EmnistDataset measure, fit;
            string description;
            if (parse.GetValue(Photos) is string photos)
            {
                (fit, measure, description) = SseLetterCells.LoadShowingProgress(photos, recognizer, HalvesSeed);
            }
            else
            {
                (EmnistDataset heldOut, description) = DataSelection.LoadForEvaluation(parse, recognizer, Program.DescribeModel(model));
                (measure, fit) = heldOut.Split(0.5, HalvesSeed);
            }
            double previous = recognizer.ConfidenceTemperature;
            RecognizerEvaluation before = TrainingDisplay.Evaluate(recognizer, measure);
            AnsiConsole.MarkupLineInterpolated($"Fitting the temperature on {fit.Count:N0} images…");
            ConfidenceCalibration calibration = recognizer.CalibrateConfidence(fit);
            AnsiConsole.WriteLine($"On the images it was fitted on: {calibration}");
            RecognizerEvaluation after = TrainingDisplay.Evaluate(recognizer, measure);
            var table = new Table().Border(TableBorder.Rounded)
                .Title($"The other {measure.Count:N0} images (never used to fit)")
                .AddColumn("").AddColumn(new TableColumn($"temperature {previous:0.000}").RightAligned())
                .AddColumn(new TableColumn($"temperature {recognizer.ConfidenceTemperature:0.000}").RightAligned());
            table.AddRow("calibration error", $"{before.ExpectedCalibrationError:P2}", $"[bold]{after.ExpectedCalibrationError:P2}[/]");
            table.AddRow("log-loss", $"{before.LogLoss:F4}", $"{after.LogLoss:F4}");
            for (int k = 1; k <= Math.Min(5, after.TopKAccuracy.Count); k += 2)
                table.AddRow($"top-{k} accuracy", $"{before.TopKAccuracy[k - 1]:P2}", $"{after.TopKAccuracy[k - 1]:P2}");
            table.AddRow("macro accuracy", $"{before.MacroAccuracy:P2}", $"{after.MacroAccuracy:P2}");
            AnsiConsole.Write(table);
            recognizer.Save(output);
            AnsiConsole.MarkupLineInterpolated($"Saved the calibrated recognizer to {Path.GetFullPath(output)} (export-onnx writes its ONNX file with the temperature).");
            return 0;
        }));
        return command;
    }
}
