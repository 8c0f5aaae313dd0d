using System.CommandLine;
using System.Globalization;
using Hcr.MLNet;
using ConsoleDemo.Plots;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.Text;

namespace ConsoleDemo.Commands;

/// <summary><c>read</c>: the text of a handwritten word or line in an image, or in every image of a folder.</summary>
internal static class ReadCommand
{
    private static readonly Argument<string> Path_ = new("image") { Description = "An image file, or a folder of them" };
    private static readonly Option<string?> Model = new("--model", "-m") { Description = "Text reader file written by train-reader (.hcrtext), or its ONNX export (.onnx, from export-onnx; read without libtorch); default: the pretrained reader" };
    private static readonly Option<string?> Lexicon = new("--lexicon") { Description = "A file of allowed texts, one a line: the reading is the most probable of them" };
    private static readonly Option<bool> Beam = new("--beam") { Description = "Beam-search decoding instead of greedy (the pretrained reader's default, with its language model)" };
    private static readonly Option<bool> Greedy = new("--greedy") { Description = "Greedy decoding without a language model, also for the pretrained reader" };
    private static readonly Option<string?> LanguageModel = new("--language-model")
    {
        Description = "Beam search with this character language model: a file from train-lm, or a text file (one text per line) to learn it from",
    };
    private static readonly Option<bool> Characters = new("--characters") { Description = "Also list each character with its confidence and alternatives" };
    private static readonly Option<bool> SingleLine = new("--single-line") { Description = "Read each image as one word or line instead of finding its lines" };
    private static readonly Option<bool> Show = new("--show")
    {
        Description = $"Write each image with the line, word and character boxes found and each line's text as <image name>{ShownSuffix} into --show-dir",
    };
    private static readonly Option<string> ShowDir = new("--show-dir")
    {
        Description = "Where --show writes (implies --show); give the image folder to write beside the images",
        DefaultValueFactory = _ => "network-inputs",
    };

    /// <summary>Appended to an image's name for the picture <c>--show</c> writes.</summary>
    private const string ShownSuffix = ".read.png";

    public static Command Create()
    {
        var command = new Command("read", "Read handwritten words and lines in photos or scans (the lines in each image are found and read in turn)");
        command.Add(Path_);
        foreach (Option option in new Option[] { Model, Lexicon, Beam, Greedy, LanguageModel, Characters, SingleLine, Show, ShowDir, Verbose.Option })
            command.Add(option);
        command.SetAction(parse => Program.Guard(() => Run(parse)));
        return command;
    }

    private static int Run(ParseResult parse)
    {
        using Verbose? verbose = Verbose.Start(parse);
        string target = parse.GetValue(Path_)!;
        // One file asked for by name: a file that cannot be read is the command's error; in a folder, one bad file is a line.
        string[] images = ImageArgument.Resolve(target, f => CharacterImageLoader.FileExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()), out bool folder);
        if (parse.GetValue(Greedy) && (parse.GetValue(Beam) || parse.GetValue(LanguageModel) is not null))
            throw new ArgumentException("--greedy reads without beam search or a language model; leave out --beam and --language-model, or --greedy.");
        string[]? lexicon = parse.GetValue(Lexicon) is string lexiconFile ? File.ReadAllLines(lexiconFile).Where(l => l.Length > 0).ToArray() : null;
        CharacterLanguageModel? languageModel = parse.GetValue(LanguageModel) is string lmFile ? LanguageModelFile.Load(lmFile) : null;
        string? showDir = parse.GetValue(Show) || parse.GetResult(ShowDir) is { Implicit: false } ? parse.GetValue(ShowDir)! : null;
        if (showDir is not null)
            DemoOptions.CreateOutputFolder(showDir, ShowDir.Name);
        int shown = 0;
        string? model = parse.GetValue(Model);
        using HandwritingTextReader reader = model is null
            ? HandwritingTextReader.LoadPretrained()
            : Path.GetExtension(model).Equals(".onnx", StringComparison.OrdinalIgnoreCase)
                ? HandwritingTextReader.LoadOnnx(model)
                : HandwritingTextReader.Load(model);
        reader.Logger = verbose?.Logger;
        // The reader's own defaults (for the pretrained reader, beam search with its language model), changed by the flags.
        ReadOptions defaults = parse.GetValue(Greedy) ? new ReadOptions() : reader.DefaultReadOptions;
        ReadOptions options = defaults with
        {
            Decoding = parse.GetValue(Beam) ? TextDecoding.BeamSearch : defaults.Decoding,
            LanguageModel = languageModel ?? defaults.LanguageModel,
            Lexicon = lexicon,
            Layout = parse.GetValue(SingleLine) ? TextLayout.SingleLine : TextLayout.Auto,
        };
        int failed = 0;
        foreach (string image in images)
        {
            try
            {
                TextReading reading = reader.Read(image, options);
                // Lines after the first are indented under the file name, so that a page's reading stays one block.
                string text = reading.Text.Replace("\n", "\n\t", StringComparison.Ordinal);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(image)}\t{text}\t{reading.Confidence:P1}"));
                if (showDir is not null)
                {
                    ReadingPicture.Save(image, reading, Path.Combine(showDir, Path.GetFileName(image) + ShownSuffix));
                    shown++;
                }
                if (parse.GetValue(Characters))
                {
                    foreach (TextCharacterReading c in reading.Lines.SelectMany(l => l.Words).SelectMany(w => w.Characters))
                    {
                        string alternatives = string.Join(" ", c.Alternatives.Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Character}:{a.Probability:P0}")));
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {c.Character} {c.Confidence:P1} at x={c.Box.X} w={c.Box.Width}  ({alternatives})"));
                    }
                }
            }
            catch (Exception e) when (folder && (e is IOException or UnauthorizedAccessException))
            {
                failed++;
                Console.WriteLine($"{Path.GetFileName(image)}\tunreadable: {e.Message.ReplaceLineEndings(" ")}");
            }
        }
        if (shown > 0)
            Console.WriteLine($"Wrote the boxes and text read for {shown} image(s) to {Path.GetFullPath(showDir!)}.");
        return failed == 0 ? 0 : 1;
    }
}
