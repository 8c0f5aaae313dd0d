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
        root.Add(PlotCommand.Create());
        return root.Parse(args).Invoke();
    }

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
                EmnistFormatException or ModelFormatException or InvalidDataException => "bad file",
                TorchRuntimeException => "runtime",
                ArgumentException => "bad argument",
                _ => "error",
            };
            Console.Error.WriteLine($"{kind}: {e.Message.ReplaceLineEndings(" ")}");
            return e is ArgumentException ? 2 : 1;
        }
    }
}
