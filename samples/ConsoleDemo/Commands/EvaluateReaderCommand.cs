using System.CommandLine;
using Hcr.MLNet;
using Hcr.MLNet.Text;

namespace ConsoleDemo.Commands;

/// <summary>
/// <c>evaluate-reader</c>: a text reader's character and word error rates on the test writers of one or more corpora,
/// split as <c>train-reader</c> splits them, so that a shipped or saved reader is measured on the same writers.
/// </summary>
internal static class EvaluateReaderCommand
{
    public static Command Create()
    {
        var command = new Command("evaluate-reader", "Measure a text reader (CER, WER, exact readings; per writer) on each corpus's test writers");
        foreach (Option option in new Option[] { WriterProtocol.Reader, WriterProtocol.Data, WriterProtocol.MeasuredTestHoldout, WriterProtocol.Seed })
            command.Add(option);
        command.SetAction(parse => Program.Guard(() => Run(parse)));
        return command;
    }

    private static int Run(ParseResult parse)
    {
        double fraction = parse.GetValue(WriterProtocol.MeasuredTestHoldout);
        if (!(fraction > 0 && fraction <= 1))
            throw new ArgumentException($"--test-holdout must be above 0 and at most 1 (it is {fraction}).");
        IReadOnlyList<WordImageSet> corpora = WriterProtocol.LoadCorpora(parse);
        WriterProtocol protocol = fraction == 1
            ? new WriterProtocol(corpora[0], null, corpora.Select(c => (WriterProtocol.CorpusName(c), c)).ToArray())
            : WriterProtocol.Split(corpora, fraction, validationFraction: 0, parse.GetValue(WriterProtocol.Seed));
        string? model = parse.GetValue(WriterProtocol.Reader);
        using HandwritingTextReader reader = WriterProtocol.LoadReader(model);
        Console.WriteLine($"Reader: {WriterProtocol.DescribeReader(model)}");
        protocol.ReportTests(reader);
        return 0;
    }
}
