using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Hcr.MLNet;
using Hcr.MLNet.Data;
using Hcr.MLNet.Native;

namespace ConsoleDemo;

/// <summary>Options shared by several commands.</summary>
internal static class DemoOptions
{
    public static readonly Option<string> Data = new("--data")
    {
        Description = "Folder with the EMNIST files (official names, gzipped or not); downloaded from NIST when missing",
        DefaultValueFactory = _ => HandwritingRecognizer.DefaultDataDirectory,
    };

    public static readonly Option<EmnistSplit> Split = new("--split")
    {
        Description = "EMNIST split: balanced, byclass, bymerge, digits, letters, mnist",
        DefaultValueFactory = _ => EmnistSplit.Balanced,
    };

    public static readonly Option<EmnistPart?> Part = new("--part")
    {
        Description = "With --holdout: the part to split (train or test); default train",
    };

    public static readonly Option<double?> Holdout = new("--holdout")
    {
        Description = $"Train on 1-holdout of --part and evaluate on the rest (stratified, seed {EmnistSelection.DefaultSeed}); 0 trains on all of --part and evaluates on nothing; without it, train on the train part and evaluate on the test part",
    };

    /// <summary>For commands that need the TorchSharp network (its history, its weights).</summary>
    public static readonly Option<string> Model = new("--model", "-m")
    {
        Description = "Recognizer file (.hcr)",
        DefaultValueFactory = _ => "model.hcr",
    };

    /// <summary>
    /// For commands that only score: an ONNX export runs as well, and without it the pretrained recognizer shipped in
    /// Hcr.MLNet does (see <see cref="Program.LoadRecognizer"/>), so that a first command needs no file.
    /// </summary>
    public static readonly Option<string?> ScoringModel = new("--model", "-m")
    {
        Description = "Recognizer file: .hcr, or .onnx written by export-onnx (default: the pretrained recognizer shipped in Hcr.MLNet)",
    };

    /// <summary>For commands that start from a recognizer's weights: a .hcr file, or without it the pretrained recognizer.</summary>
    public static readonly Option<string?> BaseModel = new("--model", "-m")
    {
        Description = "Recognizer file (.hcr) to start from (default: the pretrained recognizer shipped in Hcr.MLNet)",
    };

    public static readonly Option<ComputeDevice> Device = new("--device")
    {
        Description = "auto (CUDA when available), cpu or cuda",
        DefaultValueFactory = _ => ComputeDevice.Auto,
    };

    public static IEnumerable<Option> DataOptions => [Data, Split, Part, Holdout];

    /// <summary>The characters a field may hold (<see cref="CharacterPrediction.RestrictedTo"/>).</summary>
    public static readonly Option<string?> Among = new("--among")
    {
        Description = "Read each character as one of these alone, as in a field that may only hold them: capitals (A-Z), digits (0-9), or the characters themselves, e.g. 0123456789X",
    };

    /// <summary>
    /// The characters <see cref="Among"/> names, or null when it was not given; checked before any work by the library's
    /// own rule (<see cref="CharacterPrediction.RestrictedTo"/> on one blank tile), so that a bad set fails at once.
    /// </summary>
    public static string? AmongCharacters(ParseResult parse, HandwritingRecognizer recognizer)
    {
        string? characters = parse.GetValue(Among) switch
        {
            null => null,
            "capitals" => "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "digits" => "0123456789",
            string given => given,
        };
        if (characters is "")
            throw new DemoException("--among: give the characters, capitals or digits.");
        if (characters is not null)
        {
            try
            {
                recognizer.PredictTile(new byte[EmnistDataset.PixelsPerImage]).RestrictedTo(characters);
            }
            catch (ArgumentException e) when (e.ParamName == "characters")
            {
                throw new DemoException($"--among: {e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal)}");
            }
        }
        return characters;
    }

    static DemoOptions()
    {
        Holdout.Validators.Add(result =>
        {
            if (TryGetValue(result, out double? holdout) && holdout is double h && !(h >= 0 && h < 1))
                result.AddError("--holdout must be at least 0 and below 1, for example 0.1 (0: train on the whole part).");
        });
    }

    /// <summary>
    /// Creates the output folder <paramref name="path"/> that <paramref name="optionName"/> names, before any work: .NET's own
    /// message for a folder under /proc is "Could not find file", which says nothing of the folder or the flag.
    /// </summary>
    public static void CreateOutputFolder(string path, string optionName)
    {
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            string reason = e switch
            {
                UnauthorizedAccessException => "permission denied",
                DirectoryNotFoundException or FileNotFoundException => "a folder above it is missing or takes no new folders",
                _ => e.Message,
            };
            throw new DemoException($"{optionName} {path}: the folder cannot be created ({reason}).");
        }
    }

    /// <summary>
    /// Rejects a value of <paramref name="option"/> at parse time, before any data or runtime loads, with an error
    /// that names the flag: "--epochs must be at least 1, not 0."
    /// </summary>
    public static void Require(Option<int?> option, Func<int, bool> valid, string rule) =>
        option.Validators.Add(result =>
        {
            if (TryGetValue(result, out int? given) && given is int value && !valid(value))
                result.AddError($"{option.Name} must be {rule}, not {value.ToString(CultureInfo.InvariantCulture)}.");
        });

    /// <inheritdoc cref="Require(Option{int?}, Func{int, bool}, string)"/>
    public static void Require(Option<int> option, Func<int, bool> valid, string rule) =>
        option.Validators.Add(result =>
        {
            if (TryGetValue(result, out int value) && !valid(value))
                result.AddError($"{option.Name} must be {rule}, not {value.ToString(CultureInfo.InvariantCulture)}.");
        });

    /// <inheritdoc cref="Require(Option{int?}, Func{int, bool}, string)"/>
    public static void Require(Option<double?> option, Func<double, bool> valid, string rule) =>
        option.Validators.Add(result =>
        {
            if (TryGetValue(result, out double? given) && given is double value && !valid(value))
                result.AddError($"{option.Name} must be {rule}, not {value.ToString(CultureInfo.InvariantCulture)}.");
        });

    /// <summary>The option's value; false when its text did not convert, an error the parser reports by itself.</summary>
    private static bool TryGetValue<T>(OptionResult result, out T value)
    {
        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }
}
