using System.CommandLine;
using Hcr.MLNet;
using Hcr.MLNet.Imaging;
using Spectre.Console;

namespace ConsoleDemo.Commands;

/// <summary><c>predict</c>: the top characters for an image file or every image in a folder.</summary>
internal static class PredictCommand
{
    // What the network saw is written under this suffix; a folder scan skips such files.
    private const string NetworkInputSuffix = ".network.png";

    private static readonly Argument<string> Path_ = new("image") { Description = "An image file, or a folder of them" };
    private static readonly Option<int> Top = new("--top") { Description = "How many candidates to show", DefaultValueFactory = _ => 5 };
    private static readonly Option<bool> Show = new("--show")
    {
        Description = $"Write what the network saw (the preprocessed 28x28 tile, scaled up) for each image as <image name>{NetworkInputSuffix} into --show-dir",
    };
    private static readonly Option<string> ShowDir = new("--show-dir")
    {
        Description = "Where --show writes (implies --show); give the image folder to write beside the images",
        DefaultValueFactory = _ => "network-inputs",
    };

    private static readonly Option<bool> Characters = new("--characters")
    {
        Description = "Find and read every separated character in each image (block capitals, digits in boxes, a filled-in grid), in reading order",
    };

    public static Command Create()
    {
        var command = new Command("predict", "Read handwritten characters in photos or scans (one character per image)");
        command.Add(Path_);
        command.Add(DemoOptions.ScoringModel);
        command.Add(Top);
        command.Add(Show);
        command.Add(ShowDir);
        command.Add(Characters);
        command.Add(DemoOptions.Among);
        DemoOptions.Require(Top, t => t >= 1, "at least 1");
        command.Add(Verbose.Option);
        command.SetAction(parse => Program.Guard(() => Run(parse)));
        return command;
    }

    private static int Run(ParseResult parse)
    {
        string target = parse.GetValue(Path_)!;
        // One file asked for by name: a file that cannot be read is the command's error (one line on stderr), not a table
        // row; in a folder, one bad file is a row and the others are still read.
        string[] images = ImageArgument.Resolve(target, IsImage, out bool folder);
        string? showDir = parse.GetValue(Show) || parse.GetResult(ShowDir) is { Implicit: false } ? parse.GetValue(ShowDir)! : null;
        if (showDir is not null)
            DemoOptions.CreateOutputFolder(showDir, ShowDir.Name);

        using Verbose? verbose = Verbose.Start(parse);
        using HandwritingRecognizer recognizer = Program.LoadRecognizer(parse.GetValue(DemoOptions.ScoringModel));
        recognizer.Logger = verbose?.Logger;
        int top = parse.GetValue(Top);
        string? among = DemoOptions.AmongCharacters(parse, recognizer);
        if (parse.GetValue(Characters))
            return ReadCharacters(recognizer, images, top, folder, among);
        var table = new Table().Border(TableBorder.Rounded).AddColumn("image").AddColumn("read as").AddColumn($"top {top}");
        int failed = 0, shown = 0;
        var several = new List<(string Image, int Groups)>();
        foreach (string image in images)
        {
            try
            {
                CharacterPrediction read = recognizer.Predict(image);
                CharacterPrediction p = among is null ? read : read.RestrictedTo(among);
                string candidates = string.Join("  ", p.Top(top).Select(c => $"{c.Character} {c.Probability:P1}"));
                table.AddRow(Markup.Escape(Path.GetFileName(image)), $"[bold]{Markup.Escape(p.Character.ToString())}[/] {p.Confidence:P1}", Markup.Escape(candidates));
                if (p.SeveralInkGroups)
                    several.Add((image, p.InkGroups));
                if (showDir is not null)
                {
                    // The whole name, extension included: a.png and a.jpg in one folder must not share a file.
                    p.SaveNetworkInputPng(Path.Combine(showDir, Path.GetFileName(image) + NetworkInputSuffix));
                    shown++;
                }
            }
            catch (Exception e) when (folder && (e is IOException or UnauthorizedAccessException))
            {
                failed++;
                table.AddRow(Markup.Escape(Path.GetFileName(image)), "[red]unreadable[/]", Markup.Escape(e.Message.ReplaceLineEndings(" ")));
            }
        }
        AnsiConsole.Write(table);
        // Several characters in one image are most often handwritten words or lines, which the text reader reads; separated
        // characters (block capitals, digits in boxes) are what --characters finds.
        foreach ((string image, int groups) in several)
        {
            AnsiConsole.MarkupLineInterpolated(
                $"[yellow]warning:[/] {Path.GetFileName(image)} seems to hold {groups} characters side by side, read as one. A handwritten word, line or page: [bold]read {image}[/] (HandwritingTextReader); separated characters such as block capitals: [bold]predict --characters {image}[/] (HandwritingRecognizer.ReadCharacters).");
        }
        if (parse.GetValue(DemoOptions.ScoringModel) is null)
        {
            AnsiConsole.MarkupLine(
                "Read by the [bold]pretrained[/] recognizer shipped in Hcr.MLNet (47 EMNIST classes). Next: [blue]train[/] your own on EMNIST, " +
                "or [blue]finetune --images <folder>[/] it on your handwriting; [blue]-m[/] reads with a saved .hcr or .onnx.");
        }
        if (shown > 0)
            AnsiConsole.MarkupLineInterpolated($"Wrote what the network saw for {Text.Count(shown, "image")} to [blue]{Path.GetFullPath(showDir!)}[/].");
        return failed == 0 ? 0 : 1;
    }

    /// <summary><c>--characters</c>: every separated character of each image, row by row, with its box and top candidates.</summary>
    private static int ReadCharacters(HandwritingRecognizer recognizer, string[] images, int top, bool folder, string? among)
    {
        int failed = 0;
        foreach (string image in images)
        {
            try
            {
                IReadOnlyList<CharacterReading> found = recognizer.ReadCharacters(image);
                CharacterPrediction Read(CharacterReading c) => among is null ? c.Prediction : c.Prediction.RestrictedTo(among);
                string text = string.Join(" / ", found.GroupBy(c => c.Row).Select(row => string.Concat(row.Select(c => Read(c).Character))));
                AnsiConsole.MarkupLineInterpolated($"[bold]{Path.GetFileName(image)}[/]: {Text.Count(found.Count, "character")}  [bold]{text}[/]");
                var table = new Table().Border(TableBorder.Rounded).AddColumn("row").AddColumn("box (x, y, w, h)").AddColumn("read as").AddColumn($"top {top}");
                foreach (CharacterReading c in found)
                {
                    CharacterPrediction p = Read(c);
                    string candidates = string.Join("  ", p.Top(top).Select(x => $"{x.Character} {x.Probability:P1}"));
                    table.AddRow($"{c.Row + 1}", $"{c.Box.X}, {c.Box.Y}, {c.Box.Width}, {c.Box.Height}",
                        $"[bold]{Markup.Escape(p.Character.ToString())}[/] {p.Confidence:P1}", Markup.Escape(candidates));
                }
                AnsiConsole.Write(table);
            }
            catch (Exception e) when (folder && (e is IOException or UnauthorizedAccessException))
            {
                failed++;
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {Path.GetFileName(image)}: {e.Message.ReplaceLineEndings(" ")}");
            }
        }
        return failed == 0 ? 0 : 1;
    }

    private static bool IsImage(string path) =>
        CharacterImageLoader.FileExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase)
        && !path.EndsWith(NetworkInputSuffix, StringComparison.OrdinalIgnoreCase);
}
