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
}
