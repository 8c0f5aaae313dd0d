using System.CommandLine;
using Hcr.MLNet.Text;

namespace ConsoleDemo.Commands;

/// <summary><c>train-lm</c>: a character language model from the texts of word- or line-image lists and of text files, saved for <c>read --language-model</c>.</summary>
internal static class TrainLanguageModelCommand
{
    private static readonly Option<string[]> Data = new("--data")
    {
        Description = "A word- or line-image list (file_name,text,writer_id) or a folder holding data.csv, whose texts it learns; once per corpus",
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<string[]> Texts = new("--texts")
    {
        Description = "A UTF-8 text file, one text per line (street names, a form's values, prose); once per file",
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<int> Order = new("--order")
    {
        Description = "Characters of context plus one",
        DefaultValueFactory = _ => CharacterLanguageModel.DefaultOrder,
    };

    private static readonly Option<string> Output = new("--output", "-o") { Description = "Where to save the model", Required = true };

    public static Command Create()
    {
        var command = new Command("train-lm", "Learn a character language model from texts, for reading with beam search (read --language-model)");
        foreach (Option option in new Option[] { Data, Texts, Order, Output })
            command.Add(option);
        DemoOptions.Require(Order, o => o is >= 1 and <= CharacterLanguageModel.MaxOrder, $"1 to {CharacterLanguageModel.MaxOrder}");
        command.SetAction(parse => Program.Guard(() =>
        {
            string[] data = parse.GetValue(Data) ?? [], texts = parse.GetValue(Texts) ?? [];
            if (data.Length + texts.Length == 0)
                throw new ArgumentException("Give the texts to learn: --data (an image list's texts) or --texts (a text file), each as often as needed.");
            foreach (string file in texts.Where(f => !File.Exists(f)))
                throw new FileNotFoundException($"Text file not found: {Path.GetFullPath(file)}", file);
            List<string> all = [.. data.SelectMany(d => WordImageSet.Load(d).Images.Select(i => i.Text)), .. texts.SelectMany(File.ReadLines)];
            CharacterLanguageModel model = CharacterLanguageModel.Train(all, parse.GetValue(Order));
            string output = parse.GetValue(Output)!;
            model.Save(output);
            Console.WriteLine($"Learned {all.Count:N0} texts: order {model.Order}, {model.Characters} characters; saved to {Path.GetFullPath(output)} ({new FileInfo(output).Length / 1024.0 / 1024:F1} MB).");
            return 0;
        }));
        return command;
    }
}
