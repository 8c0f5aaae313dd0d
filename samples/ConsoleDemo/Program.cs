using System.CommandLine;
using ConsoleDemo.Commands;
using Hcr.MLNet;
using Hcr.MLNet.Native;
using Spectre.Console;

namespace ConsoleDemo;

/// <summary>The Hcr.MLNet demo: train, evaluate, predict, export to ONNX, and plot.</summary>
internal static class Program
{
    // Wide enough for a recipe line or a path in one piece; Spectre.Console assumes 80 columns when output is piped.
    private const int RedirectedWidth = 200;

    private static int Main(string[] args)
    {
        if (Console.IsOutputRedirected)
            AnsiConsole.Profile.Width = RedirectedWidth;
        var root = new RootCommand("Handwritten character recognition with Hcr.MLNet (ML.NET + TorchSharp)");
        root.Add(TrainCommand.Create());
        root.Add(EvaluateCommand.Create());
        root.Add(CalibrateCommand.Create());
        root.Add(PredictCommand.Create());
        root.Add(ExportOnnxCommand.Create());
        root.Add(PlotCommand.Create());
        root.Add(FineTuneCommand.Create());
        root.Add(FineTuneMeasureCommand.Create());
        root.Add(TrainTextCommand.Create());
        root.Add(ReadCommand.Create());
        root.Add(EvaluateReaderCommand.Create());
        root.Add(AdaptReaderCommand.Create());
        root.Add(TrainLanguageModelCommand.Create());
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One line, not the whole help text: what is wrong and where to look.
            string command = string.Join(' ', parse.CommandResult.Command == root ? [] : new[] { parse.CommandResult.Command.Name });
            WriteError($"{string.Join(" ", parse.Errors.Select(e => e.Message))} (see: hcr-demo {command} --help)".Replace("  ", " ", StringComparison.Ordinal));
            return 2;
        }
        return parse.Invoke();
    }

    /// <summary>
    /// A saved recognizer: <c>.onnx</c> files run on ONNX Runtime, others are Hcr.MLNet recognizer files; no path is the
    /// pretrained recognizer, on ONNX Runtime unless a device is asked for.
    /// </summary>
    public static Hcr.MLNet.HandwritingRecognizer LoadRecognizer(string? path, ComputeDevice device = ComputeDevice.Auto) => path switch
    {
        null => device == ComputeDevice.Auto ? Hcr.MLNet.HandwritingRecognizer.LoadPretrained() : Hcr.MLNet.HandwritingRecognizer.LoadPretrained(device),
        _ when Path.GetExtension(path).Equals(".onnx", StringComparison.OrdinalIgnoreCase) => Hcr.MLNet.HandwritingRecognizer.LoadOnnx(path),
        _ => Hcr.MLNet.HandwritingRecognizer.Load(path, device),
    };

    /// <summary>How a command names the recognizer it loaded with <see cref="LoadRecognizer"/>.</summary>
    public static string DescribeModel(string? path) => path is null ? "the pretrained recognizer (shipped in Hcr.MLNet)" : Path.GetFullPath(path);

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
            WriteError(e.Message);
            return e is ArgumentException ? 2 : 1;
        }
    }

    /// <summary>Every failure the same way: one line on stderr, <c>error: </c> and what went wrong.</summary>
    private static void WriteError(string message) => Console.Error.WriteLine($"error: {message.ReplaceLineEndings(" ")}");
}
