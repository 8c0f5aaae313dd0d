using ConsoleDemo.Plots;
using Hcr.MLNet;
using Hcr.MLNet.Data;
using Spectre.Console;

namespace ConsoleDemo;

/// <summary>What the demo prints and draws about a recognizer: evaluation tables and the PNG plots.</summary>
internal static class Reports
{
    /// <summary>Writes the curves, the first-15 grid and the confusion heat map next to <paramref name="modelPath"/>; returns their paths.</summary>
    public static IReadOnlyList<string> WritePlots(HandwritingRecognizer recognizer, EmnistDataset? test, RecognizerEvaluation? evaluation, string modelPath)
    {
        string stem = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, Path.GetFileNameWithoutExtension(modelPath));
        var written = new List<string>();
        if (recognizer.History.Count > 0)
        {
            TrainingCurves.Save(stem + ".curves.png", recognizer.History);
            written.Add(stem + ".curves.png");
        }
        if (test is not null)
        {
            EmnistDataset first = test.Subset(Enumerable.Range(0, Math.Min(15, test.Count)).ToArray());
            IReadOnlyList<CharacterPrediction> predictions = recognizer.PredictTiles(first);
            SampleGrid.Save(stem + ".samples.png", predictions.Select((p, i) =>
                new SampleGrid.Sample(first.GetImage(i).ToArray(), first.GetCharacter(i), p.Character, p.Confidence)).ToList());
            written.Add(stem + ".samples.png");
        }
        if (evaluation is not null)
        {
            ConfusionHeatmap.Save(stem + ".confusion.png", evaluation.ConfusionMatrix, evaluation.Classes);
            written.Add(stem + ".confusion.png");
        }
        return written;
    }

    public static void PrintSummary(RecognizerEvaluation e, string title)
    {
        var grid = new Grid().AddColumn().AddColumn(new GridColumn().RightAligned());
        grid.AddRow("images", $"{e.Count:N0}");
        grid.AddRow("accuracy", $"[bold]{e.Accuracy:P2}[/]");
        grid.AddRow("macro accuracy", $"[bold]{e.MacroAccuracy:P2}[/]");
        grid.AddRow("log-loss", $"{e.LogLoss:F4}");
        if (e.TopKAccuracy.Count >= 5)
            grid.AddRow("top-3 / top-5", $"{e.TopKAccuracy[2]:P2} / {e.TopKAccuracy[4]:P2}");
        if (e.ExpectedCalibrationError is double ece)
            grid.AddRow("calibration error", $"{ece:P2}");
        // The title on a line of its own: as the panel's header it was cut to the width of the figures.
        AnsiConsole.MarkupLineInterpolated($"[bold]{title}[/]");
        AnsiConsole.Write(new Panel(grid));
    }

    public static void PrintDetails(RecognizerEvaluation e, int confusedPairs = 15)
    {
        var perClass = new Table().Border(TableBorder.Rounded).Title("Per-class accuracy");
        for (int block = 0; block < 3; block++)
            perClass.AddColumn("class").AddColumn(new TableColumn("accuracy").RightAligned());
        var rows = e.PerClassAccuracy.ToList();
        int height = (rows.Count + 2) / 3;
        for (int r = 0; r < height; r++)
        {
            var cells = new List<string>();
            for (int block = 0; block < 3; block++)
            {
                int i = block * height + r;
                cells.Add(i < rows.Count ? Markup.Escape(rows[i].Key.ToString()) : "");
                cells.Add(i < rows.Count ? Colour(rows[i].Value) : "");
            }
            perClass.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(perClass);

        var pairs = new Table().Border(TableBorder.Rounded).Title("Most confused pairs")
            .AddColumn("true").AddColumn("read as").AddColumn(new TableColumn("images").RightAligned()).AddColumn(new TableColumn("share of the class").RightAligned());
        foreach (ConfusedPair p in e.MostConfusedPairs(confusedPairs))
            pairs.AddRow(Markup.Escape(p.Actual.ToString()), Markup.Escape(p.Predicted.ToString()), p.Count.ToString(), $"{p.Rate:P1}");
        AnsiConsole.Write(pairs);
    }

    private static string Colour(double accuracy) =>
        double.IsNaN(accuracy) ? "-" : accuracy >= 0.9 ? $"[green]{accuracy:P1}[/]" : accuracy >= 0.75 ? $"[yellow]{accuracy:P1}[/]" : $"[red]{accuracy:P1}[/]";
}
