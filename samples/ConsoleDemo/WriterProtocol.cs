using System.CommandLine;
using System.Globalization;
using Hcr.MLNet;
using Hcr.MLNet.Text;

namespace ConsoleDemo;

/// <summary>
/// The text reader's evaluation protocol on the command line: each corpus (<c>--data</c>, given once per corpus) is split
/// by writer on its own, first into test writers (<c>--test-holdout</c>), who choose nothing and are read only after
/// training, then the rest into validation writers (<c>--holdout</c>), who choose the kept epoch, and training writers.
/// Splitting corpus by corpus keeps each corpus's share of writers in every part and reports each corpus apart.
/// </summary>
internal sealed record WriterProtocol(WordImageSet Train, WordImageSet? Validation, IReadOnlyList<(string Corpus, WordImageSet Test)> Tests,
    IReadOnlyList<(string Corpus, WordImageSet Validation)>? Validations = null)
{
    /// <summary>The split used for the figures in docs; the test writers are drawn first, with this seed.</summary>
    public const int DefaultSeed = 2024;

    /// <summary>
    /// The validation writers' share of the protocol in docs (<c>train-reader --holdout 0.15</c>): the commands that
    /// measure a trained reader draw the same validation writers with it.
    /// </summary>
    public const double ProtocolValidationFraction = 0.15;

    /// <summary>The <c>--validation-writers</c> option of the commands that measure a trained reader; the validation writers choose <paramref name="choice"/>.</summary>
    public static Option<bool> ValidationWritersOption(string choice) => new("--validation-writers")
    {
        Description = $"Measure on the validation writers (as train-reader --holdout {ProtocolValidationFraction.ToString(CultureInfo.InvariantCulture)}) "
            + $"instead of the test writers: for choosing {choice}",
    };

    public static readonly Option<string[]> Data = new("--data")
    {
        Description = "A word- or line-image list (file_name,text,writer_id) or a folder holding data.csv; give it once per corpus (e.g. --data ../shared/data/dhsd --data ../shared/data/copiste)",
        DefaultValueFactory = _ => [Path.Combine("..", "shared", "data", "dhsd")],
        AllowMultipleArgumentsPerToken = false,
    };

    public static readonly Option<double> TestHoldout = new("--test-holdout")
    {
        Description = "Fraction of each corpus's writers held out as test writers: never trained or validated on, read only at the end (0: none)",
        DefaultValueFactory = _ => 0,
    };

    public static readonly Option<int> Seed = new("--split-seed")
    {
        Description = "Seed of the writer splits (test writers with this seed, validation writers with the next)",
        DefaultValueFactory = _ => DefaultSeed,
    };

    /// <summary>The test-writer fraction of the commands that measure a trained reader (as it was trained with).</summary>
    public static readonly Option<double> MeasuredTestHoldout = new("--test-holdout")
    {
        Description = "Fraction of each corpus's writers that are its test writers (as train-reader --test-holdout)",
        DefaultValueFactory = _ => 0.2,
    };

    /// <summary>The reader a measuring command reads with.</summary>
    public static readonly Option<string?> Reader = new("--model", "-m")
    {
        Description = "Text reader file (.hcrtext), or for evaluate-reader its ONNX export (.onnx); default: the pretrained reader",
    };

    /// <summary>The reader <see cref="Reader"/> names: a file, or the pretrained reader.</summary>
    public static HandwritingTextReader LoadReader(string? path) => path switch
    {
        null => HandwritingTextReader.LoadPretrained(),
        _ when Path.GetExtension(path).Equals(".onnx", StringComparison.OrdinalIgnoreCase) => HandwritingTextReader.LoadOnnx(path),
        _ => HandwritingTextReader.Load(path),
    };

    /// <summary>How a command names the reader <see cref="LoadReader"/> loaded.</summary>
    public static string DescribeReader(string? path) => path is null
        ? "the pretrained reader (shipped in Hcr.MLNet; it trained on every DHSD and Copiste writer of ../shared, so on them its figures are not those of new writers)"
        : Path.GetFullPath(path);

    /// <summary>Splits every corpus; <paramref name="validationFraction"/> 0 keeps no validation writers.</summary>
    public static WriterProtocol Split(IReadOnlyList<WordImageSet> corpora, double testFraction, double validationFraction, int seed)
    {
        var train = new List<WordImageSet>();
        var validation = new List<WordImageSet>();
        var tests = new List<(string, WordImageSet)>();
        var validations = new List<(string, WordImageSet)>();
        foreach (WordImageSet corpus in corpora)
        {
            WordImageSet rest = corpus;
            if (testFraction > 0)
            {
                (rest, WordImageSet test) = corpus.SplitByWriter(testFraction, seed);
                tests.Add((CorpusName(corpus), test));
            }
            if (validationFraction > 0)
            {
                (rest, WordImageSet held) = rest.SplitByWriter(validationFraction, seed + 1);
                validation.Add(held);
                validations.Add((CorpusName(corpus), held));
            }
            train.Add(rest);
        }
        return new WriterProtocol(WordImageSet.Combine(train), validation.Count == 0 ? null : WordImageSet.Combine(validation), tests, validations);
    }

    public static IReadOnlyList<WordImageSet> LoadCorpora(ParseResult parse) =>
        parse.GetValue(Data)!.Select(WordImageSet.Load).ToArray();

    /// <summary>A corpus's name for reports: the folder that holds its list.</summary>
    public static string CorpusName(WordImageSet corpus)
    {
        string list = corpus.Source.Split(' ')[0];
        return Path.GetFileName(Path.GetDirectoryName(list)) ?? list;
    }

    /// <summary>
    /// Reads every test corpus greedy and with beam search, and each writer's images apart (greedy): the figures a user
    /// can expect on writers the reader never saw, and how much they vary from hand to hand.
    /// </summary>
    public void ReportTests(HandwritingTextReader reader)
    {
        foreach ((string corpus, WordImageSet test) in Tests)
        {
            Console.WriteLine($"Test writers of {corpus} ({test.Writers.Count} writers, {test.Count} images): {string.Join(",", test.Writers)}");
            Console.WriteLine($"  greedy:      {reader.Evaluate(test)}");
            Console.WriteLine($"  beam search: {reader.Evaluate(test, new ReadOptions { Decoding = TextDecoding.BeamSearch })}");
            var perWriter = test.Writers.Select(w => (Writer: w, Evaluation: reader.Evaluate(test.SplitByWriter([w]).Validation)))
                .OrderBy(p => p.Evaluation.CharacterErrorRate).ToArray();
            double[] cer = perWriter.Select(p => p.Evaluation.CharacterErrorRate).ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  per writer (greedy CER): best {cer[0]:P1}, median {cer[cer.Length / 2]:P1}, worst {cer[^1]:P1}"));
            foreach ((string writer, TextEvaluation evaluation) in perWriter)
                Console.WriteLine($"    {writer}: {evaluation}");
        }
    }
}
