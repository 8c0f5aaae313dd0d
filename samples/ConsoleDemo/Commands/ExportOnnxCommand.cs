using System.CommandLine;
using Hcr.MLNet;
using Spectre.Console;

namespace ConsoleDemo.Commands;

/// <summary><c>export-onnx</c>: writes a saved recognizer's network, or a text reader's (<c>.hcrtext</c>), as a standard ONNX model.</summary>
internal static class ExportOnnxCommand
{
    private static readonly Option<string> Output = new("--output", "-o") { Description = "The ONNX file to write", DefaultValueFactory = _ => "model.onnx" };

    private static readonly Option<string?> TestTimeRotations = new("--test-time-rotations")
    {
        Description = "Score with these test-time rotations instead of the model's: comma-separated degrees (e.g. -5,5), or none " +
            "(each image alone: about three times as fast, about 0.3 points of macro accuracy less)",
    };

    private static readonly Option<string?> HcrOutput = new("--hcr-output")
    {
        Description = "Also save the recognizer with those rotations as a .hcr file, so that its TorchSharp network scores as the ONNX model does",
    };

    public static Command Create()
    {
        TestTimeRotations.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is string text && TrainCommand.RotationsError(text) is string error)
                result.AddError(error);
        });
        var command = new Command("export-onnx",
            "Export a saved recognizer (.hcr) or text reader (.hcrtext) to ONNX (predict with it via --model model.onnx, read with read -m reader.onnx; without libtorch)");
        command.Add(DemoOptions.Model);
        command.Add(Output);
        command.Add(TestTimeRotations);
        command.Add(HcrOutput);
        command.SetAction(parse => Program.Guard(() =>
        {
            if (Path.GetExtension(parse.GetValue(DemoOptions.Model)!).Equals(TextReaderExtension, StringComparison.OrdinalIgnoreCase))
                return ExportTextReader(parse);
            using HandwritingRecognizer loaded = HandwritingRecognizer.Load(parse.GetValue(DemoOptions.Model)!, Hcr.MLNet.Native.ComputeDevice.Cpu);
            double[]? rotations = TrainCommand.ParseRotations(parse.GetValue(TestTimeRotations));
            using HandwritingRecognizer? rescored = rotations is null ? null : loaded.WithTestTimeRotations(rotations);
            HandwritingRecognizer recognizer = rescored ?? loaded;
            string output = parse.GetValue(Output)!;
            recognizer.ExportOnnx(output);
            AnsiConsole.MarkupLineInterpolated($"Wrote [blue]{Path.GetFullPath(output)}[/] ({new FileInfo(output).Length / 1024.0:F0} KB, opset 17, {recognizer.Classes.Count} classes, {Rotations(recognizer)}).");
            if (parse.GetValue(HcrOutput) is string hcr)
            {
                recognizer.Save(hcr);
                AnsiConsole.MarkupLineInterpolated($"Wrote [blue]{Path.GetFullPath(hcr)}[/] ({new FileInfo(hcr).Length / 1024.0:F0} KB).");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>The extension of text reader files (train-text writes them).</summary>
    private const string TextReaderExtension = ".hcrtext";

    private static int ExportTextReader(ParseResult parse)
    {
        if (parse.GetValue(TestTimeRotations) is not null || parse.GetValue(HcrOutput) is not null)
            throw new ArgumentException("--test-time-rotations and --hcr-output apply to character recognizers, not to a text reader.");
        using HandwritingTextReader reader = HandwritingTextReader.Load(parse.GetValue(DemoOptions.Model)!, Hcr.MLNet.Native.ComputeDevice.Cpu);
        string output = parse.GetValue(Output)!;
        reader.ExportOnnx(output);
        AnsiConsole.MarkupLineInterpolated(
            $"Wrote [blue]{Path.GetFullPath(output)}[/] ({new FileInfo(output).Length / 1024.0:F0} KB, opset 17, {reader.Alphabet.Characters.Length} characters, strips up to {reader.MaxWidth} pixels wide); read with it: read -m {output} <image>.");
        return 0;
    }

    private static string Rotations(HandwritingRecognizer recognizer) =>
        recognizer.Network!.TestTimeRotations is { Count: > 0 } angles
            ? "test-time rotations " + string.Join(", ", angles.Select(a => a.ToString("+0.##;-0.##", System.Globalization.CultureInfo.InvariantCulture) + "°"))
            : "no test-time rotations";
}
