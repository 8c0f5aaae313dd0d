using Hcr.MLNet.Data;
using Hcr.MLNet.Tests.TestSupport;
using SkiaSharp;

namespace Hcr.MLNet.Tests.Demo;

/// <summary>The demo as users run it: a child process, its exit codes, its files, its one-line errors.</summary>
public class ConsoleDemoTests
{
    private static ChildProcess.Result Demo(string workingDirectory, params string[] arguments) =>
        DemoProcess.Run(workingDirectory, arguments);

    private static ChildProcess.Result Demo(string workingDirectory, (string Name, string Value)? environment, params string[] arguments) =>
        DemoProcess.Run(workingDirectory, environment, arguments);

    private static void AssertOneLineError(ChildProcess.Result result, string expected) => DemoProcess.AssertOneLineError(result, expected);

    [SlowFact]
    public void Train_plot_predict_and_export_run_end_to_end()
    {
        using var dir = new TempDirectory();
        string data = dir.File("emnist");
        Directory.CreateDirectory(data);
        EmnistFiles.WriteSplit(data, "digits", SyntheticGlyphs.Create(60, "HVDO"), SyntheticGlyphs.Create(15, "HVDO", seed: 3));

        var train = Demo(dir.Path, "train", "--data", data, "--split", "digits", "--recipe", "seed", "--epochs", "2",
            "--batch-size", "32", "--weight-decay", "0.001", "--augmentation", "light", "--sampling", "balanced",
            "--test-time-rotations", "-4,4", "--device", "cpu", "--output", "out/model.hcr", "--verbose");
        Assert.True(train.ExitCode == 0, train.Output + train.Error);
        Assert.Contains("macro accuracy", train.Output);
        // The seed recipe has no weight decay, no augmentation and natural sampling: the options override it.
        string recipe = System.Text.RegularExpressions.Regex.Replace(train.Output, @"\s+", " ");
        Assert.Contains("weight decay 0.001, augmentation Light, sampling Balanced", recipe);
        Assert.Contains("test-time rotations -4°, +4°", recipe);
        // --verbose: the library's log and its metrics.
        Assert.Contains("EpochValidated Epoch 2/2: train loss", recipe);
        Assert.Contains("Metrics (meter Hcr.MLNet)", recipe);
        Assert.Contains("hcr.training.throughput {image}/s [architecture=seed device=cpu]: 2 measurements", recipe);
        // The runtime in one short line, and where it came from only under --verbose.
        Assert.Matches(@"(?m)^Runtime libtorch \d+\.\d+\S* \(CPU[^)]*\), [^/]*$", train.Output);
        Assert.Contains("; shim ", train.Output);
        foreach (string file in new[] { "model.hcr", "model.curves.png", "model.samples.png", "model.confusion.png" })
            Assert.True(File.Exists(dir.File("out/" + file)), $"{file} was not written");
        // Decoded, not just present: ScottPlot and ImageAnalytics share one SkiaSharp in this process.
        foreach ((string file, int width, int height) in new[] { ("curves", 1400, 560), ("confusion", 1135, 1000), ("samples", 750, 490) })
        {
            using SKBitmap? plot = SKBitmap.Decode(dir.File($"out/model.{file}.png"));
            Assert.True(plot is not null, $"model.{file}.png is not an image");
            Assert.Equal((width, height), (plot.Width, plot.Height));
        }

        var evaluate = Demo(dir.Path, "evaluate", "--model", "out/model.hcr", "--data", data, "--split", "digits", "--verbose");
        Assert.True(evaluate.ExitCode == 0, evaluate.Output + evaluate.Error);
        string evaluated = System.Text.RegularExpressions.Regex.Replace(evaluate.Output, @"\s+", " ");
        Assert.Contains("Evaluated Evaluated 60 images", evaluated);
        Assert.Contains("hcr.predictions {image} [prediction.mode=evaluate scorer=torchsharp]: total 60", evaluated);
        Assert.Contains("Per-class accuracy", evaluate.Output);
        Assert.Contains("Most confused pairs", evaluate.Output);
        // The trained model scores with ±5° views; upright alone is asked for, and the same images are read once each.
        var upright = Demo(dir.Path, "evaluate", "--model", "out/model.hcr", "--data", data, "--split", "digits", "--test-time-rotations", "none");
        Assert.True(upright.ExitCode == 0, upright.Output + upright.Error);
        Assert.Contains("60 images", upright.Output);

        // plot redraws from the model alone: its data and its saved test evaluation, without scoring the images again.
        foreach (string file in new[] { "curves", "confusion", "samples" })
            File.Delete(dir.File($"out/model.{file}.png"));
        var plotted = Demo(dir.Path, "plot", "--model", "out/model.hcr");
        Assert.True(plotted.ExitCode == 0, plotted.Output + plotted.Error);
        Assert.Contains("saved with the model", plotted.Output);
        foreach (string file in new[] { "curves", "confusion", "samples" })
            Assert.True(File.Exists(dir.File($"out/model.{file}.png")), $"plot did not write model.{file}.png");

        string photos = dir.File("photos");
        Directory.CreateDirectory(photos);
        string photo = Path.Combine(photos, "photo.png");
        File.WriteAllBytes(photo, PhotoRenderer.Render(SyntheticGlyphs.Create(1, "HVDO", seed: 5).GetImage(1), new Random(2), SKEncodedImageFormat.Png));
        var predict = Demo(dir.Path, "predict", photo, "--model", "out/model.hcr", "--show");
        Assert.True(predict.ExitCode == 0, predict.Output + predict.Error);
        Assert.Contains("photo.png", predict.Output);
        // --show writes into ./network-inputs, not into the user's image folder.
        Assert.True(File.Exists(dir.File("network-inputs/photo.png.network.png")));
        Assert.Equal<string>(["photo.png"], Directory.EnumerateFiles(photos).Select(f => Path.GetFileName(f)).ToArray());
        using (SKBitmap shown = SKBitmap.Decode(dir.File("network-inputs/photo.png.network.png")))
            Assert.Equal(224, shown.Width);

        var export = Demo(dir.Path, "export-onnx", "--model", "out/model.hcr", "--output", "out/model.onnx");
        Assert.True(export.ExitCode == 0, export.Output + export.Error);
        // A folder scan, with the tiles where --show-dir says; the tile written beside the image is not scanned again.
        File.Copy(dir.File("network-inputs/photo.png.network.png"), Path.Combine(photos, "photo.png.network.png"));
        var viaOnnx = Demo(dir.Path, "predict", photos, "--model", "out/model.onnx", "--verbose", "--show-dir", "tiles");
        Assert.True(viaOnnx.ExitCode == 0, viaOnnx.Output + viaOnnx.Error);
        Assert.Equal<string>(["photo.png.network.png"], Directory.EnumerateFiles(dir.File("tiles")).Select(f => Path.GetFileName(f)).ToArray());
        string verbose = System.Text.RegularExpressions.Regex.Replace(viaOnnx.Output, @"\s+", " ");
        Assert.Contains("Predicted Read ", verbose);
        Assert.Contains("hcr.predictions {image} [prediction.mode=single scorer=onnx]: total 1", verbose);
    }

    [SlowFact]
    public void The_seed_option_decides_the_weights()
    {
        using var dir = new TempDirectory();
        string data = dir.File("emnist");
        Directory.CreateDirectory(data);
        EmnistDataset test = SyntheticGlyphs.Create(10, "HVDO", seed: 3);
        EmnistFiles.WriteSplit(data, "mnist", SyntheticGlyphs.Create(30, "HVDO"), test);

        ChildProcess.Result Train(int seed, string output) => Demo(dir.Path, "train", "--data", data, "--split", "mnist",
            "--epochs", "1", "--batch-size", "16", "--test-time-rotations", "none", "--device", "cpu",
            "--threads", "1", // one thread: bit-identical weights for one seed
            "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--output", output);

        var first = Train(7, "a/model.hcr");
        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        var again = Train(7, "b/model.hcr");
        Assert.True(again.ExitCode == 0, again.Output + again.Error);
        var other = Train(8, "c/model.hcr");
        Assert.True(other.ExitCode == 0, other.Output + other.Error);

        float[] Probabilities(string model)
        {
            using HandwritingRecognizer recognizer = HandwritingRecognizer.Load(dir.File(model), Hcr.MLNet.Native.ComputeDevice.Cpu);
            return recognizer.PredictTiles(test).SelectMany(p => p.Probabilities).ToArray();
        }
        float[] a = Probabilities("a/model.hcr"), b = Probabilities("b/model.hcr"), c = Probabilities("c/model.hcr");
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);

        // What a new user reads, piped: one line each, proper names, counts and numbers.
        string[] lines = first.Output.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains(lines, l => l.StartsWith("Data    EMNIST MNIST: train part", StringComparison.Ordinal) && l.EndsWith("4 classes", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Recipe  1 epoch, batch 16, AdamW lr 0.003 (OneCycle)", StringComparison.Ordinal) && l.EndsWith("test-time rotations none", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("Runtime libtorch ", StringComparison.Ordinal) && !l.Contains('/'));
        Assert.DoesNotContain("; shim ", first.Output); // the paths are for --verbose
        // One-cycle ends far below its peak: the epoch table shows the rate as 1.2e-8, not 1.2E-08.
        Assert.Matches(@"\d\.?\d*e-\d+\b", first.Output);
        Assert.DoesNotMatch(@"\dE[-+]\d", first.Output);
    }

    [SlowFact]
    public void Offline_without_data_names_the_data_option()
    {
        using var dir = new TempDirectory();
        // A mirror that refuses connections stands in for a machine without internet.
        var result = Demo(dir.Path, ("HCR_EMNIST_URL", "http://127.0.0.1:9/gzip.zip"), "train", "--data", dir.File("empty"));
        AssertOneLineError(result, "--data");
        Assert.Equal(1, result.ExitCode);
    }
}
