using System.CommandLine;
using Hcr.MLNet;
using Hcr.MLNet.Data;
using Spectre.Console;

namespace ConsoleDemo;

/// <summary>
/// The train and evaluation data that the data options select, downloading the split when missing. Which images and how
/// they are split is the library's <see cref="EmnistSelection"/>; this adds the command line and the demo's messages.
/// </summary>
internal sealed record DataSelection(EmnistDataset Train, EmnistDataset? Test, string Description)
{
    /// <summary>Whether any data option was given on the command line (as opposed to all taking their defaults).</summary>
    public static bool Given(ParseResult parse) => DemoOptions.DataOptions.Any(option => parse.GetResult(option) is { Implicit: false });

    /// <summary>The images the data options name.</summary>
    public static EmnistSelection Selected(ParseResult parse) =>
        new(parse.GetValue(DemoOptions.Data)!, parse.GetValue(DemoOptions.Split), parse.GetValue(DemoOptions.Part) ?? EmnistPart.Train, parse.GetValue(DemoOptions.Holdout));

    /// <summary>The training and test images of the data options, downloaded first when missing.</summary>
    public static DataSelection LoadForTraining(ParseResult parse)
    {
        EmnistSelection selection = Selected(parse);
        EnsurePresent(selection, parse, forTraining: true);
        (EmnistDataset train, EmnistDataset? test) = selection.Load();
        string description = selection.Holdout is null && test is null ? $"EMNIST {selection.Split.DisplayName()}: train part (no test part in the folder)" : selection.ToString();
        return new DataSelection(train, test, description);
    }

    /// <summary>
    /// The images to evaluate <paramref name="recognizer"/> on: those the data options name, or without them, the ones set
    /// aside when it was trained. Refuses, in one line, images it was trained on.
    /// </summary>
    public static (EmnistDataset Images, string Description) LoadForEvaluation(ParseResult parse, HandwritingRecognizer recognizer, string modelName)
    {
        EmnistSelection? trained = recognizer.TrainingData;
        EmnistSelection selection;
        if (!Given(parse) && trained is not null)
        {
            if (!trained.HasTestImages)
            {
                throw new DemoException(
                    $"{modelName} was trained on {trained} and set no images aside to evaluate it on; " +
                    "name others with --data, --split, --part and --holdout.");
            }
            selection = trained;
        }
        else
        {
            selection = Selected(parse);
            if (trained is not null && trained.SharesImagesWith(selection))
            {
                throw new DemoException(
                    $"{modelName} was trained on {trained}, which includes images of {selection.TestDescription}: evaluating on them would flatter it. " +
                    (trained.HasTestImages ? "Leave out the data options to evaluate on the images set aside for it, or name another part." : "Name another part."));
            }
        }
        EnsurePresent(selection, parse, forTraining: false);
        return (selection.LoadTest(), selection.TestDescription);
    }

    /// <summary>Downloads the split when the files are missing, unless the folder given on the command line already holds some of it.</summary>
    private static void EnsurePresent(EmnistSelection selection, ParseResult parse, bool forTraining)
    {
        IReadOnlyList<string> missing = selection.MissingFiles(forTraining);
        if (missing.Count == 0)
            return;
        // Given on the command line, as opposed to the default folder that the demo may fill by itself.
        bool chosen = parse.GetResult(DemoOptions.Data) is { Implicit: false };
        EmnistPart needed = forTraining || selection.Holdout is not null ? selection.Part : EmnistPart.Test;
        if (chosen && HasSomeFilesOf(selection.Directory, selection.Split))
            throw new DemoException(MissingPart(selection.Directory, selection.Split, needed, missing));
        Download(selection, needed, chosen, forTraining);
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

    private static void Download(EmnistSelection selection, EmnistPart needed, bool chosen, bool forTraining)
    {
        AnsiConsole.MarkupLineInterpolated($"EMNIST {selection.Split.DisplayName()} {PartName(needed)} part is not in [blue]{selection.Directory}[/]; downloading the split from NIST…");
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
                    var options = new EmnistDownloadOptions
                    {
                        // A mirror, for machines that cannot reach NIST.
                        ArchiveUri = Environment.GetEnvironmentVariable("HCR_EMNIST_URL") is { Length: > 0 } mirror ? new Uri(mirror) : EmnistDownloadOptions.DefaultArchiveUri,
                    };
                    selection.DownloadIfMissingAsync(forTraining, options, progress).GetAwaiter().GetResult();
                });
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or UnauthorizedAccessException)
        {
            // The example folder holds only test parts: hence --part test in it.
            string way = chosen
                ? "Put the EMNIST files (official names) in that folder, or pass another --data folder"
                : "Pass --data <folder with the EMNIST files>";
            string reason = (e.InnerException is HttpRequestException or TaskCanceledException ? e.InnerException : e).Message.TrimEnd('.');
            throw new DemoException(
                $"EMNIST {selection.Split.DisplayName()} is not in {selection.Directory} and could not be downloaded ({reason}). " +
                $"Offline? {way}, for example --data ../shared/data/emnist --split bymerge --part test --holdout 0.1.");
        }
    }
}

/// <summary>A problem the demo explains in one line.</summary>
internal sealed class DemoException(string message) : Exception(message);
