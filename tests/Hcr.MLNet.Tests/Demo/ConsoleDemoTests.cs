using System.Reflection;
using Hcr.MLNet.Data;
using Hcr.MLNet.Tests.TestSupport;
using SkiaSharp;

namespace Hcr.MLNet.Tests.Demo;

/// <summary>The demo as users run it: a child process, its exit codes, its files, its one-line errors.</summary>
public class ConsoleDemoTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(6);

    private static ChildProcess.Result Demo(string workingDirectory, params string[] arguments) =>
        Demo(workingDirectory, null, arguments);

    private static ChildProcess.Result Demo(string workingDirectory, (string Name, string Value)? environment, params string[] arguments)
    {
        string directory = typeof(ConsoleDemoTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "ConsoleDemoDirectory").Value!;
        string demo = Path.Combine(directory, "hcr-demo.dll");
        Assert.True(File.Exists(demo), $"The demo is not built at {demo}.");
        return ChildProcess.Run("dotnet", [demo, .. arguments], workingDirectory, Limit, environment);
    }

    private static void AssertOneLineError(ChildProcess.Result result, string expected)
    {
        Assert.NotEqual(0, result.ExitCode);
        string[] lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"one line on stderr expected:\n{result.Error}");
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", result.Output + result.Error);
    }

    [Fact]
    public void Train_plot_predict_and_export_run_end_to_end()
    {
        using var dir = new TempDirectory();
        string data = dir.File("emnist");
        Directory.CreateDirectory(data);
        EmnistFiles.WriteSplit(data, "digits", SyntheticGlyphs.Create(60, "HVDO"), SyntheticGlyphs.Create(15, "HVDO", seed: 3));

        var train = Demo(dir.Path, "train", "--data", data, "--split", "digits", "--recipe", "seed", "--epochs", "2",
            "--batch-size", "32", "--weight-decay", "0.001", "--augmentation", "light", "--sampling", "balanced",
            "--test-time-rotations", "-4,4", "--device", "cpu", "--output", "out/model.hcr");
        Assert.True(train.ExitCode == 0, train.Output + train.Error);
        Assert.Contains("macro accuracy", train.Output);
        // The seed recipe has no weight decay, no augmentation and natural sampling: the options override it.
        string recipe = System.Text.RegularExpressions.Regex.Replace(train.Output, @"\s+", " ");
        Assert.Contains("weight decay 0.001, augmentation Light, sampling Balanced", recipe);
        Assert.Contains("test-time rotations -4°, +4°", recipe);
        foreach (string file in new[] { "model.hcr", "model.curves.png", "model.samples.png", "model.confusion.png" })
            Assert.True(File.Exists(dir.File("out/" + file)), $"{file} was not written");
        // Decoded, not just present: ScottPlot and ImageAnalytics share one SkiaSharp in this process.
        foreach ((string file, int width, int height) in new[] { ("curves", 1400, 560), ("confusion", 1135, 1000), ("samples", 750, 490) })
        {
            using SKBitmap? plot = SKBitmap.Decode(dir.File($"out/model.{file}.png"));
            Assert.True(plot is not null, $"model.{file}.png is not an image");
            Assert.Equal((width, height), (plot.Width, plot.Height));
        }

        var evaluate = Demo(dir.Path, "evaluate", "--model", "out/model.hcr", "--data", data, "--split", "digits");
        Assert.True(evaluate.ExitCode == 0, evaluate.Output + evaluate.Error);
        Assert.Contains("Per-class accuracy", evaluate.Output);
        Assert.Contains("Most confused pairs", evaluate.Output);

        string photo = dir.File("photo.png");
        File.WriteAllBytes(photo, PhotoRenderer.Render(SyntheticGlyphs.Create(1, "HVDO", seed: 5).GetImage(1), new Random(2), SKEncodedImageFormat.Png));
        var predict = Demo(dir.Path, "predict", photo, "--model", "out/model.hcr", "--show");
        Assert.True(predict.ExitCode == 0, predict.Output + predict.Error);
        Assert.Contains("photo.png", predict.Output);
        Assert.True(File.Exists(dir.File("photo.network.png")));

        var export = Demo(dir.Path, "export-onnx", "--model", "out/model.hcr", "--output", "out/model.onnx");
        Assert.True(export.ExitCode == 0, export.Output + export.Error);
        var viaOnnx = Demo(dir.Path, "predict", photo, "--model", "out/model.onnx");
        Assert.True(viaOnnx.ExitCode == 0, viaOnnx.Output + viaOnnx.Error);
    }

    [Fact]
    public void Bad_arguments_give_one_line_and_exit_code_2()
    {
        using var dir = new TempDirectory();
        var result = Demo(dir.Path, "train", "--holdout", "3");
        AssertOneLineError(result, "--holdout must be between 0 and 1");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(2, Demo(dir.Path, "no-such-command").ExitCode);
        AssertOneLineError(Demo(dir.Path, "train", "--epochs", "many"), "bad argument");
        var rotations = Demo(dir.Path, "train", "--test-time-rotations", "five");
        AssertOneLineError(rotations, "--test-time-rotations takes comma-separated angles");
        Assert.Equal(2, rotations.ExitCode);
    }

    [Fact]
    public void Missing_files_give_one_line_and_a_non_zero_exit_code()
    {
        using var dir = new TempDirectory();
        AssertOneLineError(Demo(dir.Path, "evaluate", "--model", "absent.hcr"), "absent.hcr");
        AssertOneLineError(Demo(dir.Path, "predict", "absent.png", "--model", "absent.hcr"), "absent.png");
        File.WriteAllText(dir.File("broken.hcr"), "not a model");
        AssertOneLineError(Demo(dir.Path, "export-onnx", "--model", "broken.hcr"), "broken.hcr");
    }

    [Fact]
    public void Offline_without_data_names_the_data_option()
    {
        using var dir = new TempDirectory();
        // A mirror that refuses connections stands in for a machine without internet.
        var result = Demo(dir.Path, ("HCR_EMNIST_URL", "http://127.0.0.1:9/gzip.zip"), "train", "--data", dir.File("empty"));
        AssertOneLineError(result, "--data");
        Assert.Equal(1, result.ExitCode);
    }
}
