using System.CommandLine;
using System.Globalization;
using Hcr.MLNet;
using Hcr.MLNet.Imaging;

namespace ConsoleDemo.Commands;

/// <summary><c>read</c>: the text of a handwritten word or line in an image, or in every image of a folder.</summary>
internal static class ReadCommand
{
    private static readonly Argument<string> Path_ = new("image") { Description = "An image file, or a folder of them" };
    private static readonly Option<string> Model = new("--model", "-m") { Description = "Text reader file written by train-text (.hcrtext), or its ONNX export (.onnx, from export-onnx; read without libtorch)", DefaultValueFactory = _ => "reader.hcrtext" };
    private static readonly Option<string?> Lexicon = new("--lexicon") { Description = "A file of allowed texts, one a line: the reading is the most probable of them" };
    private static readonly Option<bool> Beam = new("--beam") { Description = "Beam-search decoding instead of greedy" };
    private static readonly Option<bool> Characters = new("--characters") { Description = "Also list each character with its confidence and alternatives" };

    public static Command Create()
    {
        var command = new Command("read", "Read handwritten words or lines in photos or scans (one word or line per image)");
        command.Add(Path_);
        foreach (Option option in new Option[] { Model, Lexicon, Beam, Characters })
            command.Add(option);
        command.SetAction(parse => Program.Guard(() => Run(parse)));
        return command;
    }

    private static int Run(ParseResult parse)
    {
        string target = parse.GetValue(Path_)!;
        string[] images = Directory.Exists(target)
            ? Directory.EnumerateFiles(target).Where(f => CharacterImageLoader.FileExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                .Order(StringComparer.Ordinal).ToArray()
            : File.Exists(target) ? [target] : throw new FileNotFoundException($"No such image file or folder: {target}", target);
        var options = new ReadOptions
        {
            Decoding = parse.GetValue(Beam) ? TextDecoding.BeamSearch : TextDecoding.Greedy,
            Lexicon = parse.GetValue(Lexicon) is string lexicon ? File.ReadAllLines(lexicon).Where(l => l.Length > 0).ToArray() : null,
        };
        string model = parse.GetValue(Model)!;
        using HandwritingTextReader reader = Path.GetExtension(model).Equals(".onnx", StringComparison.OrdinalIgnoreCase)
            ? HandwritingTextReader.LoadOnnx(model)
            : HandwritingTextReader.Load(model);
        int failed = 0;
        foreach (string image in images)
        {
            try
            {
                TextReading reading = reader.Read(image, options);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(image)}\t{reading.Text}\t{reading.Confidence:P1}"));
                if (parse.GetValue(Characters))
                {
                    foreach (TextCharacterReading c in reading.Lines.SelectMany(l => l.Words).SelectMany(w => w.Characters))
                    {
                        string alternatives = string.Join(" ", c.Alternatives.Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Character}:{a.Probability:P0}")));
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {c.Character} {c.Confidence:P1} at x={c.Box.X} w={c.Box.Width}  ({alternatives})"));
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failed++;
                Console.WriteLine($"{Path.GetFileName(image)}\tunreadable: {e.Message.ReplaceLineEndings(" ")}");
            }
        }
        return failed == 0 ? 0 : 1;
    }
}
