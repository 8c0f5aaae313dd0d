using Hcr.MLNet.Tests.TestSupport;

namespace Hcr.MLNet.Tests.Demo;

/// <summary>
/// The demo's answers to wrong or incomplete command lines. Each fails before any data, model or libtorch
/// loads, so these run in the fast tier although they start the demo as a child process.
/// </summary>
public class DemoArgumentTests
{
    // A mirror that refuses connections stands in for a machine without internet (and keeps NIST out of the tests).
    private static readonly (string, string) Offline = ("HCR_EMNIST_URL", "http://127.0.0.1:9/gzip.zip");

    [Fact]
    public void Bad_arguments_give_one_line_and_exit_code_2()
    {
        using var dir = new TempDirectory();
        var result = DemoProcess.Run(dir.Path, "train", "--holdout", "3");
        DemoProcess.AssertOneLineError(result, "--holdout must be at least 0 and below 1");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(2, DemoProcess.Run(dir.Path, "no-such-command").ExitCode);
        DemoProcess.AssertOneLineError(DemoProcess.Run(dir.Path, "train", "--epochs", "many"), "'many' for option '--epochs'");
        var rotations = DemoProcess.Run(dir.Path, "train", "--test-time-rotations", "five");
        DemoProcess.AssertOneLineError(rotations, "--test-time-rotations takes comma-separated angles");
        Assert.Equal(2, rotations.ExitCode);
    }

    [Theory]
    [InlineData("train", "--epochs", "0", "--epochs must be at least 1, not 0.")]
    [InlineData("train", "--batch-size", "1", "--batch-size must be at least 2")]
    [InlineData("train", "--weight-decay", "-0.1", "--weight-decay must be 0 or more, not -0.1.")]
    [InlineData("train", "--label-smoothing", "1", "--label-smoothing must be at least 0 and below 1, not 1.")]
    [InlineData("train", "--weight-average-decay", "1.5", "--weight-average-decay must be at least 0 and below 1")]
    [InlineData("train", "--validation", "-0.5", "--validation must be at least 0 and below 1")]
    [InlineData("train", "--threads", "0", "--threads must be at least 1, not 0.")]
    [InlineData("train", "--test-time-rotations", "0,5", "--test-time-rotations angles must be nonzero")]
    [InlineData("train", "--test-time-rotations", "45", "at most 30 degrees either way")]
    [InlineData("train", "--test-time-rotations", "1,2,3,4,5,6,7,8,9", "--test-time-rotations takes at most 8 angles")]
    [InlineData("predict", "--top", "0", "--top must be at least 1, not 0.")]
    public void Numbers_out_of_range_are_rejected_naming_the_flag_before_any_work(string command, string option, string value, string expected)
    {
        using var dir = new TempDirectory();
        string[] arguments = command == "predict"
            ? ["predict", dir.File("photo.png"), option, value]
            // Data that is there: without the check, training would start.
            : ["train", "--data", dir.Path, "--split", "digits", option, value];
        if (command == "train")
            EmnistFiles.WriteSplit(dir.Path, "digits", SyntheticGlyphs.Create(8), SyntheticGlyphs.Create(2, seed: 3));

        var result = DemoProcess.Run(dir.Path, arguments);

        DemoProcess.AssertOneLineError(result, expected);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Output); // no "Data …" line: nothing was loaded
    }

    [Fact]
    public void Missing_files_give_one_line_and_a_non_zero_exit_code()
    {
        using var dir = new TempDirectory();
        DemoProcess.AssertOneLineError(DemoProcess.Run(dir.Path, "evaluate", "--model", "absent.hcr"), "absent.hcr");
        DemoProcess.AssertOneLineError(DemoProcess.Run(dir.Path, "predict", "absent.png", "--model", "absent.hcr"), "absent.png");
        File.WriteAllText(dir.File("broken.hcr"), "not a model");
        DemoProcess.AssertOneLineError(DemoProcess.Run(dir.Path, "export-onnx", "--model", "broken.hcr"), "broken.hcr");
    }

    [Fact]
    public void An_unwritable_output_fails_before_any_data_or_training_naming_the_path()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("a-file"), "not a folder");
        string empty = dir.File("no-data");
        Directory.CreateDirectory(empty);

        // An empty data folder and no network: had the demo got as far as the data, it would say so instead.
        var result = DemoProcess.Run(dir.Path, Offline, "train", "--data", empty, "-o", "a-file/model.hcr");

        DemoProcess.AssertOneLineError(result, "Cannot write");
        Assert.Contains(Path.Combine(dir.Path, "a-file", "model.hcr"), result.Error);
        Assert.DoesNotContain("EMNIST", result.Output + result.Error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(empty));
    }

    [Fact]
    public void A_missing_part_names_its_files_and_the_holdout_of_the_part_that_is_there_without_downloading()
    {
        using var dir = new TempDirectory();
        string data = dir.File("emnist");
        Directory.CreateDirectory(data);
        // Like ../shared/data/emnist: the ByMerge test part and the mapping, no train part.
        EmnistFiles.WriteSplit(data, "bymerge", SyntheticGlyphs.Create(4), SyntheticGlyphs.Create(4, seed: 3));
        foreach (string trainFile in Directory.EnumerateFiles(data, "*-train-*"))
            File.Delete(trainFile);
        string[] before = Directory.EnumerateFileSystemEntries(data).Order(StringComparer.Ordinal).ToArray();

        var result = DemoProcess.Run(dir.Path, Offline, "train", "--data", data, "--split", "bymerge");

        DemoProcess.AssertOneLineError(result, "EMNIST ByMerge train part is not in");
        Assert.Contains("emnist-bymerge-train-images-idx3-ubyte.gz", result.Error);
        Assert.Contains("--part test --holdout 0.1", result.Error);
        Assert.DoesNotContain("download", result.Output + result.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, Directory.EnumerateFileSystemEntries(data).Order(StringComparer.Ordinal).ToArray()); // no partial archive
    }

    [Fact]
    public void Predict_help_says_the_model_may_be_an_onnx_export()
    {
        using var dir = new TempDirectory();
        var help = DemoProcess.Run(dir.Path, "predict", "--help");
        Assert.Equal(0, help.ExitCode);
        string model = help.Output.Split('\n').Single(l => l.Contains("--model", StringComparison.Ordinal));
        Assert.Contains(".onnx", model);
        Assert.Contains("--show-dir", help.Output);
    }

    [Fact]
    public void A_folder_scan_skips_files_the_image_loader_cannot_decode()
    {
        using var dir = new TempDirectory();
        string photos = dir.File("photos");
        Directory.CreateDirectory(photos);
        File.WriteAllBytes(Path.Combine(photos, "scan.tif"), [0x49, 0x49, 0x2A, 0x00]);
        File.WriteAllBytes(Path.Combine(photos, "scan.heic"), [0, 0, 0, 0x18]);

        // Had the scan listed scan.tif, the missing model would be the error.
        var result = DemoProcess.Run(dir.Path, "predict", photos, "--model", "absent.hcr");

        DemoProcess.AssertOneLineError(result, "holds no image files");
        Assert.Contains(".png", result.Error);
        Assert.DoesNotContain(".tif", result.Error);
    }

    /// <summary>--show-dir /proc/nope said "Could not find file"; it names the flag and the folder, before any model loads.</summary>
    [Theory]
    [InlineData("predict")]
    [InlineData("read")]
    public void A_show_dir_that_cannot_be_created_names_the_flag_and_the_folder(string command)
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("a.png"), [0x89, 0x50, 0x4E, 0x47]);
        string blocked = Path.Combine(dir.File("a.png"), "shown"); // under a file: no system lets that be created

        // Had the demo got as far as the model, the missing model would be the error.
        var result = DemoProcess.Run(dir.Path, command, "a.png", "--show-dir", blocked, "--model", "absent.model");

        DemoProcess.AssertOneLineError(result, $"--show-dir {blocked}: the folder cannot be created");
    }
}
