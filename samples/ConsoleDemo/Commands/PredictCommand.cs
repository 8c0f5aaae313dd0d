using System.CommandLine;
using Hcr.MLNet;
using Spectre.Console;

namespace ConsoleDemo.Commands;

/// <summary><c>predict</c>: the top characters for an image file or every image in a folder.</summary>
internal static class PredictCommand
{
    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"];

    private static readonly Argument<string> Path_ = new("image") { Description = "An image file, or a folder of them" };
    private static readonly Option<int> Top = new("--top") { Description = "How many candidates to show", DefaultValueFactory = _ => 5 };
    private static readonly Option<bool> Show = new("--show") { Description = "Write what the network saw (the preprocessed 28x28 tile) beside each image as <name>.network.png" };

    public static Command Create()
    {
        var command = new Command("predict", "Read handwritten characters in photos or scans (one character per image)");
        command.Add(Path_);
        command.Add(DemoOptions.Model);
        command.Add(Top);
        command.Add(Show);
        command.Add(Verbose.Option);
        command.SetAction(parse => Program.Guard(() => Run(parse)));
        return command;
    }

    private static int Run(ParseResult parse)
    {
        string target = parse.GetValue(Path_)!;
        string[] images = Directory.Exists(target)
            ? Directory.EnumerateFiles(target).Where(IsImage).Order(StringComparer.Ordinal).ToArray()
            : File.Exists(target) ? [target] : throw new FileNotFoundException($"No such image file or folder: {target}", target);
        if (images.Length == 0)
            throw new DemoException($"{target} holds no image files ({string.Join(" ", ImageExtensions)}).");

        using Verbose? verbose = Verbose.Start(parse);
        using HandwritingRecognizer recognizer = Program.LoadRecognizer(parse.GetValue(DemoOptions.Model)!);
        recognizer.Logger = verbose?.Logger;
        int top = parse.GetValue(Top);
        var table = new Table().Border(TableBorder.Rounded).AddColumn("image").AddColumn("read as").AddColumn($"top {top}");
        int failed = 0;
        foreach (string image in images)
        {
            try
            {
                CharacterPrediction p = recognizer.Predict(image);
                string candidates = string.Join("  ", p.Top(top).Select(c => $"{c.Character} {c.Probability:P1}"));
                table.AddRow(Markup.Escape(Path.GetFileName(image)), $"[bold]{Markup.Escape(p.Character.ToString())}[/] {p.Confidence:P1}", Markup.Escape(candidates));
                if (parse.GetValue(Show))
                    p.SaveNetworkInputPng(Path.ChangeExtension(image, ".network.png"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failed++;
                table.AddRow(Markup.Escape(Path.GetFileName(image)), "[red]unreadable[/]", Markup.Escape(e.Message.ReplaceLineEndings(" ")));
            }
        }
        AnsiConsole.Write(table);
        return failed == 0 ? 0 : 1;
    }

    private static bool IsImage(string path) =>
        ImageExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase)
        && !path.EndsWith(".network.png", StringComparison.OrdinalIgnoreCase);
}
