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
        // Given on the command line, as opposed to the default folder that the demo may fill by itself.
        bool chosen = parse.GetResult(DemoOptions.Data) is { Implicit: false };
        EmnistSplit split = parse.GetValue(DemoOptions.Split);
        double? holdout = parse.GetValue(DemoOptions.Holdout);
        EmnistPart part = parse.GetValue(DemoOptions.Part) ?? EmnistPart.Train;
        string name = split.DisplayName();

        EmnistPart needed = holdout is not null ? part : needTrain ? EmnistPart.Train : EmnistPart.Test;
        IReadOnlyList<string> missing = EmnistDataset.MissingFiles(directory, split, needed);
        if (missing.Count > 0)
        {
            if (chosen && HasSomeFilesOf(directory, split))
                throw new DemoException(MissingPart(directory, split, needed, missing));
            Download(directory, split, needed, chosen);
        }

        if (holdout is 0)
            return new DataSelection(EmnistDataset.Load(directory, split, part), null, $"EMNIST {name} {PartName(part)} part, all of it (no test images)");
        if (holdout is double h)
        {
            var (train, test) = EmnistDataset.Load(directory, split, part).Split(1 - h, seed: 2024);
            return new DataSelection(train, test, $"EMNIST {name} {PartName(part)} part, {1 - h:P0} / {h:P0} stratified split (seed 2024)");
        }
        EmnistDataset? testPart = EmnistDataset.IsPresent(directory, split, EmnistPart.Test) ? EmnistDataset.Load(directory, split, EmnistPart.Test) : null;
        EmnistDataset trainPart = needTrain ? EmnistDataset.Load(directory, split, EmnistPart.Train)
            : testPart ?? throw new FileNotFoundException($"EMNIST {name} test part not found in {Path.GetFullPath(directory)}.");
        return new DataSelection(trainPart, testPart, $"EMNIST {name}: train part{(testPart is null ? "" : ", evaluated on the test part")}");
    }

    private static string PartName(EmnistPart part) => part.ToString().ToLowerInvariant();

    /// <summary>
    /// Whether the folder holds any file of the split: then it is the user's copy, incomplete, and downloading the
    /// whole archive into it would hide what is missing.
    /// </summary>
    private static bool HasSomeFilesOf(string directory, EmnistSplit split)
    {
        // MissingFiles names at most three files (images, labels, mapping): three means none of that part is there.
        const int allMissing = 3;
        return EmnistDataset.MissingFiles(directory, split, EmnistPart.Train).Count < allMissing
            || EmnistDataset.MissingFiles(directory, split, EmnistPart.Test).Count < allMissing;
    }

    /// <summary>Which files are missing, and the way round it when the other part is there.</summary>
    private static string MissingPart(string directory, EmnistSplit split, EmnistPart needed, IReadOnlyList<string> missing)
    {
        EmnistPart other = needed == EmnistPart.Train ? EmnistPart.Test : EmnistPart.Train;
        string message = $"EMNIST {split.DisplayName()} {PartName(needed)} part is not in {Path.GetFullPath(directory)}: " +
            $"missing {string.Join(", ", missing)} (gzipped or not).";
        return EmnistDataset.IsPresent(directory, split, other)
            ? $"{message} The {PartName(other)} part is there: train and evaluate on it with --part {PartName(other)} --holdout 0.1."
            : $"{message} Add the files, or leave out --data to download the split from NIST.";
    }

    private static void Download(string directory, EmnistSplit split, EmnistPart needed, bool chosen)
    {
        AnsiConsole.MarkupLineInterpolated($"EMNIST {split.DisplayName()} {PartName(needed)} part is not in [blue]{Path.GetFullPath(directory)}[/]; downloading the split from NIST…");
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
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or UnauthorizedAccessException)
        {
            // The example folder holds only test parts: hence --part test in it.
            string way = chosen
                ? "Put the EMNIST files (official names) in that folder, or pass another --data folder"
                : "Pass --data <folder with the EMNIST files>";
            throw new DemoException(
                $"EMNIST {split.DisplayName()} is not in {Path.GetFullPath(directory)} and could not be downloaded ({e.Message.TrimEnd('.')}). " +
                $"Offline? {way}, for example --data ../shared/data/emnist --split bymerge --part test --holdout 0.1.");
        }
    }
}

/// <summary>A problem the demo explains in one line.</summary>
internal sealed class DemoException(string message) : Exception(message);
