using System.CommandLine;
using Hcr.MLNet;
using Spectre.Console;

namespace ConsoleDemo.Commands;

/// <summary><c>export-onnx</c>: writes a saved recognizer's network as a standard ONNX model.</summary>
internal static class ExportOnnxCommand
{
    private static readonly Option<string> Output = new("--output", "-o") { Description = "The ONNX file to write", DefaultValueFactory = _ => "model.onnx" };

    public static Command Create()
    {
        var command = new Command("export-onnx", "Export a saved recognizer to ONNX (predict with it via --model model.onnx, without libtorch)");
        command.Add(DemoOptions.Model);
        command.Add(Output);
        command.SetAction(parse => Program.Guard(() =>
        {
            using HandwritingRecognizer recognizer = HandwritingRecognizer.Load(parse.GetValue(DemoOptions.Model)!, Hcr.MLNet.Native.ComputeDevice.Cpu);
            string output = parse.GetValue(Output)!;
            recognizer.ExportOnnx(output);
            AnsiConsole.MarkupLineInterpolated($"Wrote [blue]{Path.GetFullPath(output)}[/] ({new FileInfo(output).Length / 1024.0:F0} KB, opset 17, {recognizer.Classes.Count} classes).");
            return 0;
        }));
        return command;
    }
}
