using Hcr.MLNet.IO;
using Hcr.MLNet.Text;

namespace ConsoleDemo;

/// <summary>A character language model named on the command line: a model saved by <c>train-lm</c>, or a text file to learn one from.</summary>
internal static class LanguageModelFile
{
    /// <summary>The value of <c>--language-model</c> that learns from the protocol's training writers' texts.</summary>
    public const string TrainingTexts = "training-texts";

    /// <summary>
    /// A model of the texts of the protocol's training writers (<see cref="TrainingTexts"/>; the protocol must have its
    /// validation writers drawn, so that their texts stay out), or <see cref="Load"/>'s of a file.
    /// </summary>
    public static CharacterLanguageModel ForProtocol(string source, WriterProtocol protocol)
    {
        if (source == TrainingTexts)
        {
            Console.WriteLine($"Learning a character language model from the texts of {protocol.Train.Writers.Count} training writers ({protocol.Train.Count} images).");
            return CharacterLanguageModel.Train(protocol.Train.Images.Select(i => i.Text));
        }
        return Load(source);
    }

    public static CharacterLanguageModel Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Language model or text file not found: {Path.GetFullPath(path)}", path);
        try
        {
            return CharacterLanguageModel.Load(path);
        }
        catch (ModelFormatException)
        {
            // Not a saved model: a text file, one text per line.
            return CharacterLanguageModel.Train(File.ReadLines(path));
        }
    }
}
