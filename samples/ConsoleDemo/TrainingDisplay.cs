using Hcr.MLNet;
using Hcr.MLNet.Data;
using Hcr.MLNet.Training;
using Spectre.Console;

namespace ConsoleDemo;

/// <summary>Live progress bars for epochs and batches, and the table of epoch metrics.</summary>
internal static class TrainingDisplay
{
    public static T Run<T>(int epochs, Func<IProgress<TrainingProgress>, T> train)
    {
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                ProgressTask run = ctx.AddTask($"epoch 1/{epochs}", maxValue: epochs);
                ProgressTask batches = ctx.AddTask("batch", maxValue: 1);
                var progress = new InlineProgress<TrainingProgress>(p =>
                {
                    batches.MaxValue = p.BatchesPerEpoch;
                    batches.Value = p.Batch;
                    batches.Description = $"batch {p.Batch}/{p.BatchesPerEpoch}  {p.ImagesPerSecond:F0} img/s  loss {p.TrainLoss:F3}  acc {p.TrainAccuracy:P1}";
                    run.Value = p.Epoch - 1 + (double)p.Batch / p.BatchesPerEpoch;
                    run.Description = $"epoch {p.Epoch}/{p.Epochs}  time left {Format(p.EstimatedRemaining)}" +
                        (p.CompletedEpoch?.ValidationAccuracy is double va ? $"  val acc {va:P2}" : "");
                });
                result = train(progress);
                run.Value = run.MaxValue;
            });
        return result;
    }

    /// <summary>Evaluates <paramref name="recognizer"/> on <paramref name="test"/> behind a progress bar: thousands of images take a while.</summary>
    public static RecognizerEvaluation Evaluate(HandwritingRecognizer recognizer, EmnistDataset test)
    {
        RecognizerEvaluation result = null!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                ProgressTask task = ctx.AddTask($"evaluating {test.Count:N0} images", maxValue: Math.Max(1, test.Count));
                result = recognizer.Evaluate(test, new InlineProgress<EvaluationProgress>(p => task.Value = p.Scored));
                task.Value = task.MaxValue;
            });
        return result;
    }

    public static Table EpochTable(IReadOnlyList<EpochMetrics> history)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Epochs");
        foreach (string column in new[] { "epoch", "train loss", "train acc", "val loss", "val acc", "val macro", "lr", "img/s", "time", "peak memory" })
            table.AddColumn(new TableColumn(column).RightAligned());
        foreach (EpochMetrics m in history)
        {
            table.AddRow(m.Epoch.ToString(), $"{m.TrainLoss:F4}", $"{m.TrainAccuracy:P2}",
                m.ValidationLoss is double vl ? $"{vl:F4}" : "-", m.ValidationAccuracy is double va ? $"{va:P2}" : "-",
                m.ValidationMacroAccuracy is double vm ? $"{vm:P2}" : "-", Text.Number(m.LearningRate), $"{m.ImagesPerSecond:F0}",
                Format(m.Duration), $"{m.PeakWorkingSetBytes / 1048576.0:F0} MB");
        }
        return table;
    }

    public static string Format(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss") : t.ToString(@"m\:ss");

    /// <summary>Calls back on the reporting thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class InlineProgress<TValue>(Action<TValue> report) : IProgress<TValue>
    {
        public void Report(TValue value) => report(value);
    }
}
