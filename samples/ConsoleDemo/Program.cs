using System.CommandLine;
using ConsoleDemo.Commands;
using Hcr.MLNet.Data;
using Hcr.MLNet.IO;
using Hcr.MLNet.Native;
using Spectre.Console;

namespace ConsoleDemo;

/// <summary>The Hcr.MLNet demo: train, evaluate, predict, export to ONNX, and plot.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("Handwritten character recognition with Hcr.MLNet (ML.NET + TorchSharp)");
        root.Add(TrainCommand.Create());
        root.Add(EvaluateCommand.Create());
        root.Add(PredictCommand.Create());
        root.Add(ExportOnnxCommand.Create());
        root.Add(PlotCommand.Create());
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One line, not the whole help text: what is wrong and where to look.
            string command = string.Join(' ', parse.CommandResult.Command == root ? [] : new[] { parse.CommandResult.Command.Name });
            Console.Error.WriteLine($"bad argument: {string.Join("; ", parse.Errors.Select(e => e.Message))} (see: hcr-demo {command} --help)".Replace("  ", " ", StringComparison.Ordinal));
            return 2;
        }
        return parse.Invoke();
    }

    /// <summary>A saved recognizer: <c>.onnx</c> files run on ONNX Runtime, others are Hcr.MLNet recognizer files.</summary>
    public static Hcr.MLNet.HandwritingRecognizer LoadRecognizer(string path, ComputeDevice device = ComputeDevice.Auto) =>
        Path.GetExtension(path).Equals(".onnx", StringComparison.OrdinalIgnoreCase)
            ? Hcr.MLNet.HandwritingRecognizer.LoadOnnx(path)
            : Hcr.MLNet.HandwritingRecognizer.Load(path, device);

    /// <summary>Runs a command; any failure is one line on stderr and a non-zero exit code, never a stack trace.</summary>
    public static int Guard(Func<int> command)
    {
        try
        {
            return command();
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.MarkupLine("[yellow]Cancelled.[/]");
            return 130;
        }
        catch (Exception e)
        {
            string kind = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "not found",
                EmnistFormatException or ModelFormatException or InvalidDataException or Hcr.MLNet.Imaging.UnusableImageException => "bad file",
                TorchRuntimeException => "runtime",
                ArgumentException => "bad argument",
                _ => "error",
            };
            Console.Error.WriteLine($"{kind}: {e.Message.ReplaceLineEndings(" ")}");
            return e is ArgumentException ? 2 : 1;
        }
    }
}
