using Hcr.MLNet.IO;
using Hcr.MLNet.Text;

namespace ConsoleDemo;

/// <summary>A character language model named on the command line: a model saved by <c>train-lm</c>, or a text file to learn one from.</summary>
internal static class LanguageModelFile
{
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
