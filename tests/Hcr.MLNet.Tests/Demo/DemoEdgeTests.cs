using Hcr.MLNet.Tests.TestSupport;

namespace Hcr.MLNet.Tests.Demo;

/// <summary>
/// What a newcomer meets at the demo's edges: an empty folder, a file that is not an image, a page given to the
/// character command, a bad photo among the fine-tuning images, a folder of a few characters, and the pretrained
/// recognizer to export. Each is one clear line, and none needs data or trains for long.
/// </summary>
public class DemoEdgeTests
{
    private static string Sample(string folder, string name) => Path.Combine(SharedData.RepositoryRoot, "samples", folder, name);

    /// <summary>One folder per sample photo (<c>samples/images/A.jpg</c> … <c>X.jpg</c>), named by its letter, with two copies of it.</summary>
    private static string LetterFolders(TempDirectory dir)
    {
        string root = dir.File("mine");
        foreach (string photo in Directory.GetFiles(Path.Combine(SharedData.RepositoryRoot, "samples", "images"), "*.jpg"))
        {
            string folder = Path.Combine(root, Path.GetFileNameWithoutExtension(photo));
            Directory.CreateDirectory(folder);
            File.Copy(photo, Path.Combine(folder, "1.jpg"));
            File.Copy(photo, Path.Combine(folder, "2.jpg"));
        }
        return root;
    }

    [Fact]
    public void Read_on_a_folder_without_images_is_one_error_naming_the_folder()
    {
        using var dir = new TempDirectory();
        string empty = dir.File("scans");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "notes.txt"), "not an image");

        var result = DemoProcess.Run(dir.Path, "read", empty);

        DemoProcess.AssertOneLineError(result, $"{empty} holds no image files");
        Assert.Contains(".png", result.Error);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public void A_file_that_is_not_an_image_is_one_error_on_stderr_naming_it()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("page.png"), "a text file renamed .png");

        foreach (string[] command in new[] { new[] { "predict", "page.png" }, ["predict", "--characters", "page.png"], ["read", "page.png"] })
        {
            var result = DemoProcess.Run(dir.Path, command);

            DemoProcess.AssertOneLineError(result, "page.png: the data is not an image");
            Assert.Equal(1, result.ExitCode);
            Assert.DoesNotContain("page.png", result.Output); // no table row, no "unreadable" line
        }
    }

    [Fact]
    public void A_page_given_to_predict_points_to_read()
    {
        using var dir = new TempDirectory();
        string page = Sample("text", "page.png");

        var result = DemoProcess.Run(dir.Path, "predict", page);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        string hint = string.Join(' ', result.Output.Split('\n').SkipWhile(l => !l.StartsWith("warning:", StringComparison.Ordinal)).Take(3));
        Assert.Contains("characters side by side", hint);
        Assert.Contains($"read {page}", hint);
    }

    [Fact]
    public void Finetune_stopped_by_an_unusable_image_suggests_skip_unusable()
    {
        using var dir = new TempDirectory();
        string images = LetterFolders(dir);
        string bad = Path.Combine(images, "A", "scan.png");
        File.WriteAllText(bad, "a text file renamed .png");

        var result = DemoProcess.Run(dir.Path, "finetune", "--images", images, "--epochs", "1");

        DemoProcess.AssertOneLineError(result, $"{bad}: the data is not an image");
        Assert.Contains("--skip-unusable", result.Error);
        Assert.Equal(1, result.ExitCode);
        Assert.False(File.Exists(dir.File("mine.hcr")));
    }

    [Fact]
    public void Finetune_on_a_few_characters_warns_which_the_recognizer_keeps_and_which_it_drops()
    {
        using var dir = new TempDirectory();
        string images = LetterFolders(dir);

        var result = DemoProcess.Run(dir.Path, "finetune", "--images", images, "--epochs", "1", "--freeze-features", "-o", "mine.hcr");

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        string warning = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("warning:", StringComparison.Ordinal));
        Assert.Contains("only the 10 characters", warning);
        Assert.Contains("(A B D E H K M R T X)", warning);
        Assert.Contains("other 37 (0 1 2 3 4 5 6 7 8 9 C F G I J L N O P Q S U V W Y Z a b d e f g h n q r t)", warning);
        Assert.Contains("add a subfolder", warning);
        // The saved recognizer is what the warning said, and the last line says so too.
        using HandwritingRecognizer saved = HandwritingRecognizer.Load(dir.File("mine.hcr"), Hcr.MLNet.Native.ComputeDevice.Cpu);
        Assert.Equal("ABDEHKMRTX", new string(saved.Classes.ToArray()));
        Assert.Contains("Saved the recognizer (10 characters: A B D E H K M R T X)", result.Output);
    }

    [Fact]
    public void Export_onnx_writes_the_pretrained_recognizer_when_asked()
    {
        using var dir = new TempDirectory();

        // Without a recognizer file here, the error says how to export the pretrained one.
        DemoProcess.AssertOneLineError(DemoProcess.Run(dir.Path, "export-onnx"), "--pretrained");
        var both = DemoProcess.Run(dir.Path, "export-onnx", "--pretrained", "-m", "mine.hcr");
        DemoProcess.AssertOneLineError(both, "not both");
        Assert.Equal(2, both.ExitCode);
        var help = DemoProcess.Run(dir.Path, "export-onnx", "--help");
        Assert.Contains("--pretrained", help.Output);

        var result = DemoProcess.Run(dir.Path, "export-onnx", "--pretrained", "-o", "pretrained.onnx");

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains("47 classes", result.Output);
        string photo = Sample("images", "R.jpg");
        using HandwritingRecognizer exported = HandwritingRecognizer.LoadOnnx(dir.File("pretrained.onnx"));
        using HandwritingRecognizer pretrained = HandwritingRecognizer.LoadPretrained();
        Assert.Equal(pretrained.Classes, exported.Classes);
        float[] expected = pretrained.Predict(photo).Probabilities.ToArray(), actual = exported.Predict(photo).Probabilities.ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], actual[i], 1e-4);
    }

    [Fact]
    public void Calibrate_refuses_an_ONNX_file_and_a_folder_without_photos_in_one_line()
    {
        using var dir = new TempDirectory();
        var onnx = DemoProcess.Run(dir.Path, "calibrate", "-m", "some.onnx", "-o", "out.hcr");
        DemoProcess.AssertOneLineError(onnx, "export-onnx");
        Assert.Equal(2, onnx.ExitCode);
        Directory.CreateDirectory(dir.File("frames"));
        DemoProcess.AssertOneLineError(DemoProcess.Run(dir.Path, "calibrate", "--photos", dir.Path, "-o", "out.hcr"), "no SSE-letters photos");
        Assert.False(File.Exists(dir.File("out.hcr")));
    }

    [Fact]
    public void Train_lm_learns_a_text_file_and_refuses_no_texts_and_a_missing_file_in_one_line()
    {
        using var dir = new TempDirectory();
        File.WriteAllLines(dir.File("streets.txt"), ["Hauptstraße", "Bahnhofstraße", "Schulstraße"]);
        var trained = DemoProcess.Run(dir.Path, "train-lm", "--texts", "streets.txt", "-o", "streets.lm");
        Assert.True(trained.ExitCode == 0, trained.Output + trained.Error);
        Assert.Contains("3 texts", trained.Output, StringComparison.Ordinal);
        var lm = Hcr.MLNet.Text.CharacterLanguageModel.Load(dir.File("streets.lm"));
        Assert.True(lm.LogProbability("Gartenstraße") > lm.LogProbability("Gartenstrabe"));
        DemoProcess.AssertOneLineError(DemoProcess.Run(dir.Path, "train-lm", "-o", "none.lm"), "--texts");
        DemoProcess.AssertOneLineError(DemoProcess.Run(dir.Path, "read", "streets.txt", "--greedy", "--language-model", "streets.lm"), "--greedy");
        DemoProcess.AssertOneLineError(DemoProcess.Run(dir.Path, "train-lm", "--texts", "absent.txt", "-o", "none.lm"), "absent.txt");
        Assert.False(File.Exists(dir.File("none.lm")));
    }

    [Fact]
    public void Evaluate_refuses_views_for_an_ONNX_model_bad_angles_and_a_folder_without_photos_in_one_line()
    {
        using var dir = new TempDirectory();
        DemoProcess.AssertOneLineError(DemoProcess.Run(dir.Path, "evaluate", "--test-time-rotations", "none", "--photos", dir.Path), "ONNX Runtime");
        DemoProcess.AssertOneLineError(DemoProcess.Run(dir.Path, "evaluate", "--test-time-rotations", "90"), "--test-time-rotations");
        Directory.CreateDirectory(dir.File("frames"));
        DemoProcess.AssertOneLineError(DemoProcess.Run(dir.Path, "evaluate", "--photos", dir.Path), "no SSE-letters photos");
    }
}
