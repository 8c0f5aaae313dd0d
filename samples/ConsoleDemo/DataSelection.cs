using System.CommandLine;
using Hcr.MLNet.Data;
using Spectre.Console;

namespace ConsoleDemo;

/// <summary>The train and evaluation data that the data options select, downloading the split when missing.</summary>
internal sealed record DataSelection(EmnistDataset Train, EmnistDataset? Test, string Description)
{
    public static DataSelection Load(ParseResult parse, bool needTrain)
    {
        string directory = parse.GetValue(DemoOptions.Data)!;
        EmnistSplit split = parse.GetValue(DemoOptions.Split);
        double? holdout = parse.GetValue(DemoOptions.Holdout);
        EmnistPart part = parse.GetValue(DemoOptions.Part) ?? EmnistPart.Train;

        EmnistPart needed = holdout is not null ? part : needTrain ? EmnistPart.Train : EmnistPart.Test;
        if (!EmnistDataset.IsPresent(directory, split, needed))
            Download(directory, split);

        if (holdout is double h)
        {
            var (train, test) = EmnistDataset.Load(directory, split, part).Split(1 - h, seed: 2024);
            return new DataSelection(train, test, $"EMNIST {split} {part.ToString().ToLowerInvariant()} part, {1 - h:P0} / {h:P0} stratified split (seed 2024)");
        }
        EmnistDataset? testPart = EmnistDataset.IsPresent(directory, split, EmnistPart.Test) ? EmnistDataset.Load(directory, split, EmnistPart.Test) : null;
        EmnistDataset trainPart = needTrain ? EmnistDataset.Load(directory, split, EmnistPart.Train)
            : testPart ?? throw new FileNotFoundException($"EMNIST {split} test part not found in {Path.GetFullPath(directory)}.");
        return new DataSelection(trainPart, testPart, $"EMNIST {split}: train part{(testPart is null ? "" : ", evaluated on the test part")}");
    }

    private static void Download(string directory, EmnistSplit split)
    {
        AnsiConsole.MarkupLineInterpolated($"EMNIST {split} is not in [blue]{Path.GetFullPath(directory)}[/]; downloading it from NIST…");
        try
        {
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn())
                .Start(ctx =>
                {
                    ProgressTask task = ctx.AddTask("download");
                    var progress = new Progress<DownloadProgress>(p =>
                    {
                        task.Description = $"{p.Stage} {p.FileName}";
                        if (p.TotalBytes is long total)
                            task.MaxValue = total;
                        task.Value = p.BytesDone;
                    });
                    var downloader = new EmnistDownloader(new EmnistDownloadOptions
                    {
                        // A mirror, for machines that cannot reach NIST.
                        ArchiveUri = Environment.GetEnvironmentVariable("HCR_EMNIST_URL") is { Length: > 0 } mirror ? new Uri(mirror) : EmnistDownloadOptions.DefaultArchiveUri,
                    });
                    downloader.DownloadAsync(directory, split, progress).GetAwaiter().GetResult();
                });
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            throw new DemoException(
                $"EMNIST {split} is not in {Path.GetFullPath(directory)} and could not be downloaded ({e.Message}). " +
                "Offline? Pass --data <folder with the EMNIST files>, for example --data ../shared/data/emnist --split bymerge --part test --holdout 0.1.");
        }
    }
}

/// <summary>A problem the demo explains in one line.</summary>
internal sealed class DemoException(string message) : Exception(message);
