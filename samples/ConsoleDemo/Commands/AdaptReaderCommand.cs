using System.CommandLine;
using System.Globalization;
using Hcr.MLNet;
using Hcr.MLNet.Text;

namespace ConsoleDemo.Commands;

/// <summary>
/// <c>adapt-reader</c>: how much a reader gains from a few of one person's labelled words. For each test writer (split as
/// <c>train-reader</c> splits them), the reader is adapted on the first 8, 16, 32… of that writer's words (one draw,
/// nested) and every reading is measured on the same words: the writer's words outside the largest draw.
/// </summary>
internal static class AdaptReaderCommand
{
    private static readonly Option<int[]> Words = new("--words")
    {
        Description = "How many of each writer's words to adapt on (comma-separated or repeated)",
        DefaultValueFactory = _ => [8, 16, 32],
        CustomParser = r => r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries))
            .Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray(),
    };

    private static readonly Option<bool> Validation = WriterProtocol.ValidationWritersOption("adaptation settings");

    private static readonly Option<string?> LanguageModel = LanguageModelFile.ProtocolOption(
        "Read with beam search and a character language model, before and after adapting (an adapted reader reads with its start's options)");

    private static readonly Option<int> Steps = new("--steps") { Description = "Optimizer steps of each adaptation", DefaultValueFactory = _ => new TextAdaptationOptions().Steps };
    private static readonly Option<double> LearningRate = new("--lr") { Description = "Peak learning rate of each adaptation", DefaultValueFactory = _ => 5e-4 };

    public static Command Create()
    {
        var command = new Command("adapt-reader", "Measure adapting a text reader to one writer: CER on each test writer's other words before and after 8, 16, 32 of their words");
        foreach (Option option in new Option[] { WriterProtocol.Reader, WriterProtocol.Data, WriterProtocol.MeasuredTestHoldout, Validation, WriterProtocol.Seed, Words, Steps, LearningRate, LanguageModel })
            command.Add(option);
        command.SetAction(parse => Program.Guard(() => Run(parse)));
        return command;
    }

    private static int Run(ParseResult parse)
    {
        int[] counts = parse.GetValue(Words)!.Order().ToArray();
        if (counts.Length == 0 || counts[0] < 2)
            throw new ArgumentException("--words needs counts of at least 2.");
        int seed = parse.GetValue(WriterProtocol.Seed);
        string? languageModel = parse.GetValue(LanguageModel);
        // The validation writers are drawn whenever they are measured on or the language model learns from the training writers alone.
        WriterProtocol protocol = WriterProtocol.Split(WriterProtocol.LoadCorpora(parse), parse.GetValue(WriterProtocol.MeasuredTestHoldout),
            parse.GetValue(Validation) || languageModel == LanguageModelFile.TrainingTexts ? WriterProtocol.ProtocolValidationFraction : 0, seed);
        IEnumerable<(string Corpus, WordImageSet Writers)> parts = parse.GetValue(Validation)
            ? [("validation", protocol.Validation!)]
            : protocol.Tests;
        string? model = parse.GetValue(WriterProtocol.Reader);
        using HandwritingTextReader reader = WriterProtocol.LoadReader(model);
        var adaptation = new TextAdaptationOptions { Steps = parse.GetValue(Steps) };
        double learningRate = parse.GetValue(LearningRate);
        if (languageModel is not null)
        {
            // Evaluate reads with the reader's defaults, and the adapted readers inherit them.
            CharacterLanguageModel lm = LanguageModelFile.ForProtocol(languageModel, protocol);
            reader.DefaultReadOptions = new ReadOptions { LanguageModel = lm };
        }
        Console.WriteLine($"Reader: {WriterProtocol.DescribeReader(model)}; {adaptation.Steps} steps at {learningRate.ToString(CultureInfo.InvariantCulture)} per adaptation; " +
            (reader.DefaultReadOptions.LanguageModel is null ? $"read with {reader.DefaultReadOptions.Decoding} decoding." : "read with beam search and the language model."));
        foreach ((string corpus, WordImageSet set) in parts)
        {
            var before = new List<double>();
            var after = counts.ToDictionary(c => c, _ => new List<double>());
            foreach (string writer in set.Writers)
            {
                WordImage[] words = set.SplitByWriter([writer]).Validation.Images.ToArray();
                if (words.Length <= counts[^1] + 4)
                {
                    Console.WriteLine($"  {writer}: {words.Length} images, too few to adapt on {counts[^1]} and measure on the rest; left out.");
                    continue;
                }
                new Random(seed).Shuffle(words);
                var rest = WordImageSet.FromImages(words.Skip(counts[^1]), $"writer {writer}, words outside the adaptation draw");
                TextEvaluation baseline = reader.Evaluate(rest);
                before.Add(baseline.CharacterErrorRate);
                var line = new System.Text.StringBuilder(string.Create(CultureInfo.InvariantCulture,
                    $"  {corpus} writer {writer} ({rest.Count} measured): before {baseline.CharacterErrorRate:P1}"));
                foreach (int count in counts)
                {
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    using HandwritingTextReader adapted = HandwritingTextReader.Create()
                        .StartingFrom(reader, adaptation)
                        .WithLearningRate(learningRate)
                        .WithWordImages(WordImageSet.FromImages(words.Take(count), $"writer {writer}, {count} words"))
                        .Train();
                    double seconds = clock.Elapsed.TotalSeconds;
                    TextEvaluation result = adapted.Evaluate(rest);
                    after[count].Add(result.CharacterErrorRate);
                    line.Append(CultureInfo.InvariantCulture, $", {count} words {result.CharacterErrorRate:P1} ({seconds:F0} s)");
                }
                Console.WriteLine(line);
            }
            if (before.Count == 0)
                continue;
            var summary = new System.Text.StringBuilder(string.Create(CultureInfo.InvariantCulture,
                $"{corpus}: mean CER over {before.Count} writers before {before.Average():P1}"));
            foreach (int count in counts)
            {
                summary.Append(CultureInfo.InvariantCulture,
                    $", after {count} words {after[count].Average():P1} ({1 - after[count].Average() / before.Average():P0} fewer errors)");
            }
            Console.WriteLine(summary);
        }
        return 0;
    }
}
