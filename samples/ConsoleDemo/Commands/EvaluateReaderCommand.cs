using System.CommandLine;
using System.Globalization;
using Hcr.MLNet;
using Hcr.MLNet.Text;

namespace ConsoleDemo.Commands;

/// <summary>
/// <c>evaluate-reader</c>: a text reader's character and word error rates on the test writers of one or more corpora,
/// split as <c>train-reader</c> splits them, so that a shipped or saved reader is measured on the same writers; with a
/// character language model, beam search with it at each weight and bonus asked for.
/// </summary>
internal static class EvaluateReaderCommand
{
    private const string TrainingTexts = LanguageModelFile.TrainingTexts;

    private static readonly Option<string?> LanguageModel = LanguageModelFile.ProtocolOption("Also read with beam search and a character language model");

    private static readonly Option<string> Weights = new("--lm-weight")
    {
        Description = "The language model's weight, or several comma-separated to compare",
        DefaultValueFactory = _ => ReadOptions.DefaultLanguageModelWeight.ToString(CultureInfo.InvariantCulture),
    };

    private static readonly Option<string> Bonuses = new("--lm-bonus")
    {
        Description = "Bonus per character read with the language model, or several comma-separated to compare",
        DefaultValueFactory = _ => ReadOptions.DefaultCharacterBonus.ToString(CultureInfo.InvariantCulture),
    };

    private static readonly Option<string?> Orders = new("--lm-order")
    {
        Description = $"The order of a language model learned from texts ({CharacterLanguageModel.DefaultOrder} unless given), or several comma-separated to compare",
    };

    private static readonly Option<bool> Validation = WriterProtocol.ValidationWritersOption("the language model's weight and bonus");

    public static Command Create()
    {
        var command = new Command("evaluate-reader", "Measure a text reader (CER, WER, exact readings; per writer) on each corpus's test writers");
        foreach (Option option in new Option[] { WriterProtocol.Reader, WriterProtocol.Data, WriterProtocol.MeasuredTestHoldout, WriterProtocol.Seed, LanguageModel, Orders, Weights, Bonuses, Validation })
            command.Add(option);
        Weights.Validators.Add(r => Check(r, r.GetValueOrDefault<string>(), w => w >= 0 && w <= ReadOptions.MaxLanguageModelWeight, "--lm-weight"));
        Bonuses.Validators.Add(r => Check(r, r.GetValueOrDefault<string>(), b => Math.Abs(b) <= ReadOptions.MaxLanguageModelWeight, "--lm-bonus"));
        Orders.Validators.Add(r =>
        {
            string text = r.GetValueOrDefault<string?>() ?? "";
            if (Numbers(text) is not { } values || !values.All(o => o == Math.Floor(o) && o >= 1 && o <= CharacterLanguageModel.MaxOrder))
                r.AddError($"--lm-order takes whole numbers from 1 to {CharacterLanguageModel.MaxOrder}, comma-separated, not '{text}'.");
        });
        command.SetAction(parse => Program.Guard(() => Run(parse)));
        return command;
    }

    private static void Check(System.CommandLine.Parsing.OptionResult result, string text, Func<double, bool> valid, string flag)
    {
        if (Numbers(text) is not { } values || !values.All(valid))
            result.AddError($"{flag} takes numbers from -{ReadOptions.MaxLanguageModelWeight} (0 for the weight) to {ReadOptions.MaxLanguageModelWeight}, comma-separated, not '{text}'.");
    }

    private static double[]? Numbers(string text)
    {
        string[] items = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            if (!double.TryParse(items[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
                return null;
        }
        return values;
    }

    private static int Run(ParseResult parse)
    {
        double fraction = parse.GetValue(WriterProtocol.MeasuredTestHoldout);
        if (!(fraction > 0 && fraction <= 1))
            throw new ArgumentException($"--test-holdout must be above 0 and at most 1 (it is {fraction}).");
        string? languageModel = parse.GetValue(LanguageModel);
        bool onValidation = parse.GetValue(Validation);
        if (onValidation && fraction == 1)
            throw new ArgumentException("--validation-writers needs test writers apart (--test-holdout below 1).");
        IReadOnlyList<WordImageSet> corpora = WriterProtocol.LoadCorpora(parse);
        // The validation writers are drawn whenever they are measured on or the language model learns from the training writers alone.
        bool drawValidation = onValidation || languageModel == TrainingTexts;
        WriterProtocol protocol = fraction == 1
            ? new WriterProtocol(corpora[0], null, corpora.Select(c => (WriterProtocol.CorpusName(c), c)).ToArray())
            : WriterProtocol.Split(corpora, fraction, drawValidation ? WriterProtocol.ProtocolValidationFraction : 0, parse.GetValue(WriterProtocol.Seed));
        string? model = parse.GetValue(WriterProtocol.Reader);
        using HandwritingTextReader reader = WriterProtocol.LoadReader(model);
        Console.WriteLine($"Reader: {WriterProtocol.DescribeReader(model)}");
        if (!onValidation)
            protocol.ReportTests(reader);
        if (languageModel is null)
        {
            if (onValidation)
                throw new ArgumentException("--validation-writers is for choosing a language model's settings; give --language-model too.");
            return 0;
        }

        int?[] orders = parse.GetValue(Orders) is { } orderText ? [.. Numbers(orderText)!.Select(o => (int?)(int)o)] : [null];
        CharacterLanguageModel[] models = [.. orders.Select(o => LanguageModelFile.ForProtocol(languageModel, protocol, o))];
        CharacterLanguageModel lm = models[0];
        IReadOnlyList<(string Corpus, WordImageSet Writers)> parts = onValidation ? protocol.Validations! : protocol.Tests;
        Console.WriteLine($"Language model: order {lm.Order}, {lm.Characters} characters; measured on the {(onValidation ? "validation" : "test")} writers.");
        if (languageModel == TrainingTexts)
        {
            // What the model may have seen word for word: texts the measured writers share with the training writers. Their
            // other images are measured apart, with and without the model, so that a memorised text cannot flatter it.
            var learned = protocol.Train.Images.Select(i => i.Text).ToHashSet(StringComparer.Ordinal);
            foreach ((string corpus, WordImageSet writers) in parts)
            {
                WordImage[] unseen = [.. writers.Images.Where(i => !learned.Contains(i.Text))];
                Console.WriteLine($"  {corpus}: {writers.Count - unseen.Length} of its {writers.Count} texts are also among the training writers' texts; the other {unseen.Length}{(unseen.Length == 0 ? "." : ":")}");
                if (unseen.Length == 0)
                    continue;
                WordImageSet others = WordImageSet.FromImages(unseen, $"{corpus}, texts the model never saw");
                Console.WriteLine($"    beam search: {reader.Evaluate(others, new ReadOptions { Decoding = TextDecoding.BeamSearch })}");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    with the model (order {lm.Order}, weight {parse.GetValue(Weights)}, bonus {parse.GetValue(Bonuses)}, the first of each): ") +
                    reader.Evaluate(others, new ReadOptions { LanguageModel = lm, LanguageModelWeight = Numbers(parse.GetValue(Weights)!)![0], CharacterBonus = Numbers(parse.GetValue(Bonuses)!)![0] }));
            }
        }
        foreach (CharacterLanguageModel languageModelOfOrder in models)
        {
            foreach (double weight in Numbers(parse.GetValue(Weights)!)!)
            {
                foreach (double bonus in Numbers(parse.GetValue(Bonuses)!)!)
                {
                    var options = new ReadOptions { LanguageModel = languageModelOfOrder, LanguageModelWeight = weight, CharacterBonus = bonus };
                    TextEvaluation[] results = [.. parts.Select(p => reader.Evaluate(p.Writers, options))];
                    double pooled = results.Sum(r => r.CharacterErrorRate * r.Count) / results.Sum(r => r.Count);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  order {languageModelOfOrder.Order}, weight {weight}, bonus {bonus}: CER {pooled:P2} pooled; ") +
                        string.Join("; ", parts.Select((p, i) => $"{p.Corpus} {results[i]}")));
                    if (!onValidation)
                    {
                        // How much it varies from hand to hand with the model, as ReportTests shows it without.
                        foreach ((string corpus, WordImageSet writers) in parts)
                        {
                            double[] cer = [.. writers.Writers.Select(w => reader.Evaluate(writers.SplitByWriter([w]).Validation, options).CharacterErrorRate).Order()];
                            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"    {corpus} per writer: best {cer[0]:P1}, median {cer[cer.Length / 2]:P1}, worst {cer[^1]:P1}"));
                        }
                    }
                }
            }
        }
        return 0;
    }
}
