using System.CommandLine;
using System.Globalization;
using Hcr.MLNet;
using Hcr.MLNet.Native;
using Hcr.MLNet.Text;

namespace ConsoleDemo.Commands;

/// <summary>
/// <c>train-reader</c> (or <c>train-text</c>): trains a handwriting text reader on word images (DHSD's <c>data.csv</c>), validating on writers it
/// never trains on, and reports the held-out writers' character and word error rates, greedy and with beam search.
/// </summary>
internal static class TrainTextCommand
{
    private static readonly Option<double> Holdout = new("--holdout")
    {
        Description = "Fraction of each corpus's writers (after the test writers) held out, with all their images, to validate on and choose the kept epoch (0: train on every writer, no validation)",
        DefaultValueFactory = _ => 0.2,
    };
    private static readonly Option<int> Epochs = new("--epochs") { Description = "Passes over the training images", DefaultValueFactory = _ => 30 };
    private static readonly Option<int> Batch = new("--batch") { Description = "Images per step", DefaultValueFactory = _ => 32 };
    private static readonly Option<double> LearningRate = new("--lr") { Description = "Peak learning rate", DefaultValueFactory = _ => 2e-3 };
    private static readonly Option<int?> Limit = new("--limit") { Description = "Train on at most this many images (evenly from every training writer)" };
    private static readonly Option<TextSequenceModel> Sequence = new("--sequence")
    {
        Description = "Sequence model over the line: bilstm or convolution",
        DefaultValueFactory = _ => TextSequenceModel.Convolution,
    };
    private static readonly Option<TextNetworkSize> NetworkSize = new("--network-size")
    {
        Description = "The network's channels at every stage: standard or wide (1.5 times the channels, about 2.25 times the training time)",
        DefaultValueFactory = _ => TextNetworkSize.Standard,
    };
    private static readonly Option<string?> SyntheticEmnist = new("--synthetic-emnist")
    {
        Description = "An EMNIST folder (ByClass files): adds word images composed from its characters to the training images",
    };
    private static readonly Option<int> SyntheticWords = new("--synthetic-words")
    {
        Description = "How many synthetic words --synthetic-emnist composes",
        DefaultValueFactory = _ => HandwritingTextReaderBuilder.DefaultSyntheticWords,
    };
    private static readonly Option<string?> SyntheticFonts = new("--synthetic-fonts")
    {
        Description = "A folder of handwriting fonts (.ttf, .otf): adds word and line images written in them to the training images",
    };
    private static readonly Option<int> SyntheticFontWords = new("--synthetic-font-words")
    {
        Description = "How many images --synthetic-fonts writes",
        DefaultValueFactory = _ => HandwritingTextReaderBuilder.DefaultSyntheticWords,
    };
    private static readonly Option<int?> Threads = new("--threads") { Description = "libtorch threads (default: one per core)" };
    private static readonly Option<string?> Checkpoint = new("--checkpoint") { Description = "Folder for per-epoch checkpoints; rerunning the same command resumes" };
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);
    private static readonly Option<string> Output = new("--output", "-o") { Description = "Where to save the reader", DefaultValueFactory = _ => "reader.hcrtext" };

    public static Command Create()
    {
        var command = new Command("train-reader", "Train a handwriting text reader (words and lines) with CTC, validating on held-out writers");
        command.Aliases.Add("train-text"); // its first name, kept for scripts that use it
        foreach (Option option in new Option[] { WriterProtocol.Data, WriterProtocol.TestHoldout, Holdout, WriterProtocol.Seed, Epochs, Batch, LearningRate, Limit, Sequence, NetworkSize, SyntheticEmnist, SyntheticWords, SyntheticFonts, SyntheticFontWords, Threads, Checkpoint, Output, DemoOptions.Device })
            command.Add(option);
        command.SetAction(parse => Program.Guard(() => Run(parse)));
        return command;
    }

    private static int Run(ParseResult parse)
    {
        // A line after each epoch, and one every few seconds within it: an epoch takes a minute or more on a CPU.
        TimeSpan lastLine = TimeSpan.Zero;
        bool resumeTold = false;
        var progress = new SynchronousProgress<TextTrainingProgress>(p =>
        {
            if (p.ResumedEpochs > 0 && !resumeTold)
            {
                resumeTold = true;
                Console.WriteLine($"Resumed from the checkpoint in {Path.GetFullPath(parse.GetValue(Checkpoint)!)} after epoch {p.ResumedEpochs}.");
            }
            if (p.CompletedEpoch is null && p.Elapsed - lastLine >= ProgressInterval)
            {
                lastLine = p.Elapsed;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  epoch {p.Epoch}/{p.Epochs}, batch {p.Batch}/{p.Batches}: loss {p.TrainLoss:F3}, {p.Elapsed.TotalMinutes:F1} min"));
            }
            if (p.CompletedEpoch is { } m)
            {
                lastLine = p.Elapsed;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {m.Epoch}/{p.Epochs}: loss {m.TrainLoss:F3}, {(m.Validation is { } v ? v.ToString() : "no validation")}, " +
                    $"lr {Text.Number(m.LearningRate)}, {m.ImagesPerSecond:F0} images/s, {m.Duration.TotalSeconds:F0} s"));
            }
        });
        string output = parse.GetValue(Output)!;
        HandwritingTextReader.CheckSavePath(output);   // before hours of training, not after
        // --holdout 0: every (non-test) writer trains (the shipped reader); the last epoch's weights are kept.
        WriterProtocol protocol = WriterProtocol.Split(WriterProtocol.LoadCorpora(parse), parse.GetValue(WriterProtocol.TestHoldout),
            parse.GetValue(Holdout), parse.GetValue(WriterProtocol.Seed));
        (WordImageSet train, WordImageSet? validation) = (protocol.Train, protocol.Validation);
        int? limit = parse.GetValue(Limit);
        int trainCount = limit is int l ? Math.Min(l, train.Count) : train.Count;
        Console.WriteLine(validation is null
            ? $"Training on {trainCount} images of {train.Writers.Count} writers; no validation."
            : $"Training on {trainCount} images of {train.Writers.Count} writers; validating on {validation.Count} images of {validation.Writers.Count} writers ({string.Join(",", validation.Writers)}).");
        foreach ((string corpus, WordImageSet test) in protocol.Tests)
            Console.WriteLine($"Test writers of {corpus}, read only after training: {test.Count} images of {test.Writers.Count} writers.");
        HandwritingTextReaderBuilder builder = HandwritingTextReader.Create()
            .WithWordImages(train)
            .WithSequenceModel(parse.GetValue(Sequence))
            .WithNetworkSize(parse.GetValue(NetworkSize))
            .WithEpochs(parse.GetValue(Epochs))
            .WithBatchSize(parse.GetValue(Batch))
            .WithLearningRate(parse.GetValue(LearningRate))
            .OnDevice(parse.GetValue(DemoOptions.Device))
            .ReportTo(progress);
        if (validation is not null)
            builder.WithValidation(validation);
        if (limit is int most)
            builder.LimitTrainingImages(most);
        if (parse.GetValue(SyntheticEmnist) is string emnist)
        {
            builder.WithSyntheticEmnist(emnist, parse.GetValue(SyntheticWords));
            Console.WriteLine($"Adding {parse.GetValue(SyntheticWords)} words composed from EMNIST ByClass characters in {Path.GetFullPath(emnist)}.");
        }
        if (parse.GetValue(SyntheticFonts) is string fonts)
        {
            builder.WithSyntheticFonts(fonts, parse.GetValue(SyntheticFontWords));
            Console.WriteLine($"Adding {parse.GetValue(SyntheticFontWords)} words and lines written in the handwriting fonts in {Path.GetFullPath(fonts)}.");
        }
        if (parse.GetValue(Threads) is int threads)
            builder.WithTrainerOptions(o => o.Threads = threads);
        if (parse.GetValue(Checkpoint) is string checkpoint)
        {
            builder.WithCheckpoints(checkpoint);
            Console.WriteLine($"Checkpoints after every epoch in {Path.GetFullPath(checkpoint)}; rerunning this command resumes from the last one.");
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Console.WriteLine("Decoding and normalising the images…");
        using HandwritingTextReader reader = builder.Train();
        Console.WriteLine($"Trained in {clock.Elapsed.TotalMinutes:F1} min.");
        foreach (string skipped in reader.SkippedImages)
            Console.WriteLine($"Skipped (unusable): {skipped}");
        reader.Save(output);
        Console.WriteLine($"Saved {Path.GetFullPath(output)}.");
        if (validation is not null)
        {
            Console.WriteLine($"Validation writers, greedy:      {reader.Evaluate(validation)}");
            Console.WriteLine($"Validation writers, beam search: {reader.Evaluate(validation, new ReadOptions { Decoding = TextDecoding.BeamSearch })}");
        }
        protocol.ReportTests(reader);
        return 0;
    }

    /// <summary>Reports on the training thread, so that lines come out in order.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
