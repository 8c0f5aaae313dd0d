using System.CommandLine;
using System.Globalization;
using Hcr.MLNet.IO;
using Hcr.MLNet.Text;

namespace ConsoleDemo;

/// <summary>A character language model named on the command line: a model saved by <c>train-lm</c>, or a text file to learn one from.</summary>
internal static class LanguageModelFile
{
    /// <summary>The value of <c>--language-model</c> that learns from the protocol's training writers' texts.</summary>
    public const string TrainingTexts = "training-texts";

    /// <summary>The <c>--language-model</c> option of the commands that measure on the protocol's writers; <paramref name="use"/> says how the command reads with it.</summary>
    public static Option<string?> ProtocolOption(string use) => new("--language-model")
    {
        Description = $"{use}: '{TrainingTexts}' (learned from the texts of the corpora's training writers, as train-reader --holdout "
            + $"{WriterProtocol.ProtocolValidationFraction.ToString(CultureInfo.InvariantCulture)} splits them), a text file (one text per line) or a model saved with CharacterLanguageModel.Save",
    };

    /// <summary>
    /// A model of the texts of the protocol's training writers (<see cref="TrainingTexts"/>; the protocol must have its
    /// validation writers drawn, so that their texts stay out), or <see cref="Load"/>'s of a file.
    /// </summary>
    /// <param name="source">The option's value.</param>
    /// <param name="protocol">The writers' split.</param>
    /// <param name="order">The order of a model learned here (from the texts or a text file); null for the default, or a saved model's own.</param>
    public static CharacterLanguageModel ForProtocol(string source, WriterProtocol protocol, int? order = null)
    {
        if (source == TrainingTexts)
        {
            int n = order ?? CharacterLanguageModel.DefaultOrder;
            Console.WriteLine($"Learning a character {n}-gram model from the texts of {protocol.Train.Writers.Count} training writers ({protocol.Train.Count} images).");
            return CharacterLanguageModel.Train(protocol.Train.Images.Select(i => i.Text), n);
        }
        return Load(source, order);
    }

    public static CharacterLanguageModel Load(string path, int? order = null)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Language model or text file not found: {Path.GetFullPath(path)}", path);
        CharacterLanguageModel saved;
        try
        {
            saved = CharacterLanguageModel.Load(path);
        }
        catch (ModelFormatException)
        {
            // Not a saved model: a text file, one text per line.
            return CharacterLanguageModel.Train(File.ReadLines(path), order ?? CharacterLanguageModel.DefaultOrder);
        }
        if (order is int asked && asked != saved.Order)
            throw new ArgumentException($"{path} is a saved model of order {saved.Order}, not {asked}: an order applies to a model learned from texts.");
        return saved;
    }
}
