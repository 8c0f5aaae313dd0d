using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Hcr.MLNet;
using Hcr.MLNet.Data;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Spectre.Console;

namespace ConsoleDemo.Commands;

/// <summary>
/// <c>finetune-measure</c>: how well fine-tuning learns the 15 lower-case letters that EMNIST ByClass tells
/// apart and ByMerge/Balanced merge with their capitals (c i j k l m o p s u v w x y z) from a few samples
/// each, against training from scratch on the same samples. The README's fine-tuning table comes from it.
/// </summary>
internal static class FineTuneMeasureCommand
{
    private const string Letters = "cijklmopsuvwxyz";

    private static readonly Option<string?> BaseModel = new("--model", "-m")
    {
        Description = "The 47-class base recognizer (.hcr); without it a quick base is trained on ByMerge test (Standard network) minus every image also in ByClass test",
    };

    private static readonly Option<bool> Pretrained = new("--pretrained")
    {
        Description = "Start from the pretrained recognizer shipped in Hcr.MLNet (trained on all of ByMerge test, which shares images with ByClass test)",
    };

    private static readonly Option<string> Sizes = new("--sizes") { Description = "Samples per letter, comma-separated", DefaultValueFactory = _ => "5,10,20,50" };
    private static readonly Option<int> BaseEpochs = new("--base-epochs") { Description = "Epochs of the quick base", DefaultValueFactory = _ => 2 };
    private static readonly Option<int> BaseImages = new("--base-images") { Description = "Images of the quick base (a stratified sample of what is left of ByMerge test; 0 = all)", DefaultValueFactory = _ => 0 };
    private static readonly Option<int> EvalPerClass = new("--eval-per-class") { Description = "At most this many evaluation images per letter", DefaultValueFactory = _ => 200 };
    private static readonly Option<string?> SaveBase = new("--save-base") { Description = "Save the quick base here" };

    public static Command Create()
    {
        DemoOptions.Require(BaseEpochs, e => e >= 1, "at least 1");
        var command = new Command("finetune-measure", "Measure fine-tuning vs training from scratch on the 15 lower-case letters ByMerge lacks, from few samples each (needs ByMerge and ByClass test files)");
        foreach (Option option in new Option[] { DemoOptions.Data, BaseModel, Pretrained, Sizes, BaseEpochs, BaseImages, EvalPerClass, SaveBase, DemoOptions.Device })
            command.Add(option);
        command.SetAction((parse, cancellation) => Task.FromResult(Program.Guard(() => Run(parse, cancellation))));
        return command;
    }

    private static int Run(ParseResult parse, CancellationToken cancellation)
    {
        string data = parse.GetValue(DemoOptions.Data)!;
        // Before the data loads and the quick base trains, not after (issue 27: output paths checked before every training).
        if (parse.GetValue(SaveBase) is string saveBase)
            HandwritingRecognizer.CheckSavePath(saveBase);
        ComputeDevice device = parse.GetValue(DemoOptions.Device);
        int[] sizes = parse.GetValue(Sizes)!.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        EmnistDataset byClass = EmnistDataset.Load(data, EmnistSplit.ByClass, EmnistPart.Test);

        // The letters only, relabelled 0..14; half of each letter is the pool the few samples come from, the other half (capped) evaluates.
        int[] members = Enumerable.Range(0, byClass.Count).Where(i => Letters.Contains(byClass.GetCharacter(i), StringComparison.Ordinal)).ToArray();
        var pixels = new byte[members.Length * EmnistDataset.PixelsPerImage];
        var labels = new int[members.Length];
        for (int k = 0; k < members.Length; k++)
        {
            byClass.GetImage(members[k]).CopyTo(pixels.AsSpan(k * EmnistDataset.PixelsPerImage));
            labels[k] = Letters.IndexOf(byClass.GetCharacter(members[k]), StringComparison.Ordinal);
        }
        EmnistDataset letters = EmnistDataset.Create(pixels, labels, Letters.ToCharArray(), "ByClass test, 15 lower-case letters");
        (EmnistDataset pool, EmnistDataset evalAll) = letters.Split(0.5, EmnistSelection.DefaultSeed);
        EmnistDataset eval = FirstPerClass(evalAll, parse.GetValue(EvalPerClass), seed: 1);
        AnsiConsole.MarkupLineInterpolated($"Letters {Letters}: pool {pool.Count:N0}, evaluation {eval.Count:N0} images (ByClass test).");

        HandwritingRecognizer baseRecognizer;
        string baseDescription;
        var clock = Stopwatch.StartNew();
        if (parse.GetValue(Pretrained))
        {
            if (parse.GetValue(BaseModel) is not null)
                throw new DemoException("Give --model or --pretrained, not both.");
            // The pretrained base trained on all of ByMerge test, which holds some of ByClass test's images (the same NIST
            // images, merged labels): say how many of the evaluation images it saw, rather than hide it.
            EmnistDataset byMerge = EmnistDataset.Load(data, EmnistSplit.ByMerge, EmnistPart.Test);
            var inBase = new HashSet<string>(Enumerable.Range(0, byMerge.Count).Select(i => Convert.ToBase64String(byMerge.GetImage(i))));
            int seenEval = Enumerable.Range(0, eval.Count).Count(i => inBase.Contains(Convert.ToBase64String(eval.GetImage(i))));
            baseRecognizer = HandwritingRecognizer.LoadPretrained();
            baseDescription = $"the pretrained recognizer (Standard, 47 classes, trained on all of ByMerge test, where {seenEval:N0} of the " +
                $"{eval.Count:N0} evaluation images also occur, labelled with the capital their letter is merged with)";
        }
        else if (parse.GetValue(BaseModel) is string model)
        {
            baseRecognizer = HandwritingRecognizer.Load(model, device);
            baseDescription = $"{Path.GetFileName(model)} ({baseRecognizer.Network!.Architecture.Name}, {baseRecognizer.Classes.Count} classes)";
        }
        else
        {
            // ByMerge and ByClass test are drawn from the same NIST images: leave out every ByMerge image whose pixels
            // occur anywhere in ByClass test, so that no evaluation (or few-shot) image was seen by the base.
            EmnistDataset byMerge = EmnistDataset.Load(data, EmnistSplit.ByMerge, EmnistPart.Test);
            var seen = new HashSet<string>(Enumerable.Range(0, byClass.Count).Select(i => Convert.ToBase64String(byClass.GetImage(i))));
            int[] keep = Enumerable.Range(0, byMerge.Count).Where(i => !seen.Contains(Convert.ToBase64String(byMerge.GetImage(i)))).ToArray();
            EmnistDataset baseData = byMerge.Subset(keep);
            int baseImages = parse.GetValue(BaseImages);
            if (baseImages > 0 && baseImages < baseData.Count)
                baseData = baseData.Split((double)baseImages / baseData.Count, EmnistSelection.DefaultSeed).Train;
            int epochs = parse.GetValue(BaseEpochs);
            AnsiConsole.MarkupLineInterpolated($"Quick base: {baseData.Count:N0} ByMerge test images ({byMerge.Count - keep.Length:N0} also in ByClass test left out), Standard, {epochs} epochs…");
            baseRecognizer = HandwritingRecognizer.Create().WithData(baseData).WithEpochs(epochs).WithTrainerOptions(o => o.ValidationFraction = 0)
                .OnDevice(device).WithCancellation(cancellation).Train();
            baseDescription = $"quick base: Standard, {epochs} epochs on {baseData.Count:N0} ByMerge test images (none also in ByClass test), trained in {clock.Elapsed.TotalMinutes:F1} min";
            if (parse.GetValue(SaveBase) is string save)
                baseRecognizer.Save(save);
        }

        using (baseRecognizer)
        {
            var table = new List<string>
            {
                $"Base: {baseDescription}. Evaluation: {eval.Count:N0} ByClass test images of the 15 letters (at most {parse.GetValue(EvalPerClass)} per letter), disjoint from the samples.",
                "",
                "| samples per letter | from scratch | fine-tuned, all layers | fine-tuned, output layer only |",
                "|---:|---|---|---|",
            };
            foreach (int size in sizes)
            {
                EmnistDataset train = FirstPerClass(pool, size, seed: 7);
                string scratch = Measure(() => HandwritingRecognizer.Create().WithData(train, eval).WithEpochs(20).WithBatchSize(32)
                    .WithTrainerOptions(o => o.ValidationFraction = 0).OnDevice(device).WithCancellation(cancellation).Train());
                string full = Measure(() => HandwritingRecognizer.Create().StartingFrom(baseRecognizer).WithData(train, eval)
                    .OnDevice(device).WithCancellation(cancellation).Train());
                string frozen = Measure(() => HandwritingRecognizer.Create().StartingFrom(baseRecognizer, new FineTuningOptions { FreezeFeatures = true })
                    .WithData(train, eval).OnDevice(device).WithCancellation(cancellation).Train());
                table.Add($"| {size} | {scratch} | {full} | {frozen} |");
                AnsiConsole.WriteLine(table[^1]);
            }
            AnsiConsole.WriteLine();
            foreach (string line in table)
                AnsiConsole.WriteLine(line);
        }
        return 0;
    }

    /// <summary>"83.1 % (12 s)": accuracy on the evaluation images and wall time of training and evaluating.</summary>
    private static string Measure(Func<HandwritingRecognizer> train)
    {
        var clock = Stopwatch.StartNew();
        using HandwritingRecognizer recognizer = train();
        return string.Create(CultureInfo.InvariantCulture, $"{recognizer.TestEvaluation!.Accuracy * 100:F1} % ({clock.Elapsed.TotalSeconds:F0} s)");
    }

    /// <summary>A random <paramref name="perClass"/> images of each class (all when fewer), in the data's order.</summary>
    private static EmnistDataset FirstPerClass(EmnistDataset data, int perClass, int seed)
    {
        var random = new Random(seed);
        int[] order = Enumerable.Range(0, data.Count).ToArray();
        random.Shuffle(order);
        var taken = new int[data.ClassCount];
        int[] chosen = order.Where(i => taken[data.GetLabel(i)]++ < perClass).Order().ToArray();
        return data.Subset(chosen);
    }
}
