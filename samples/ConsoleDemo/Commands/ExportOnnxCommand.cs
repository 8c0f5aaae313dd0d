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

    private static readonly Option<bool> Pretrained = new("--pretrained")
    {
        Description = "Export the pretrained recognizer shipped in Hcr.MLNet (47 EMNIST classes) instead of a file given with --model",
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
            "Export a saved recognizer (.hcr), the pretrained recognizer (--pretrained) or a text reader (.hcrtext) to ONNX " +
            "(predict with it via --model model.onnx, read with read -m reader.onnx; without libtorch)");
        command.Add(DemoOptions.Model);
        command.Add(Pretrained);
        command.Add(Output);
        command.Add(TestTimeRotations);
        command.Add(HcrOutput);
        command.SetAction(parse => Program.Guard(() =>
        {
            bool modelGiven = parse.GetResult(DemoOptions.Model) is { Implicit: false };
            if (parse.GetValue(Pretrained) && modelGiven)
                throw new ArgumentException("Give --model or --pretrained, not both.");
            string model = parse.GetValue(DemoOptions.Model)!;
            if (!parse.GetValue(Pretrained) && !modelGiven && !File.Exists(model))
                throw new DemoException($"No {model} here to export: give a recognizer or text reader with --model, or export the pretrained recognizer with --pretrained.");
            if (!parse.GetValue(Pretrained) && Path.GetExtension(model).Equals(TextReaderExtension, StringComparison.OrdinalIgnoreCase))
                return ExportTextReader(parse);
            // The TorchSharp network, also for the pretrained recognizer: --test-time-rotations and --hcr-output need it.
            using HandwritingRecognizer loaded = parse.GetValue(Pretrained)
                ? HandwritingRecognizer.LoadPretrained(Hcr.MLNet.Native.ComputeDevice.Cpu)
                : HandwritingRecognizer.Load(model, Hcr.MLNet.Native.ComputeDevice.Cpu);
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
