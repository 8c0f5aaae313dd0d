using Hcr.MLNet.Tests.TestSupport;

namespace Hcr.MLNet.Tests.Demo;

/// <summary>
/// README command 1: <c>predict samples/images</c> with no model file, no data and no network reads the sample photos
/// with the pretrained recognizer shipped in the library.
/// </summary>
public class DemoPretrainedTests
{
    [Fact]
    public void Predict_without_a_model_reads_the_sample_photos_with_the_pretrained_recognizer()
    {
        // An empty working folder: nothing to find there (no model.hcr, no data), and no internet is asked for.
        using var dir = new TempDirectory();
        string images = Path.Combine(SharedData.RepositoryRoot, "samples", "images");
        string[] photos = Directory.GetFiles(images, "*.jpg");

        var result = DemoProcess.Run(dir.Path, "predict", images);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains("pretrained", result.Output, StringComparison.Ordinal);
        // One row per photo, each with a top-5 of characters and confidences.
        foreach (string photo in photos)
            Assert.Contains(Path.GetFileName(photo), result.Output, StringComparison.Ordinal);
        Assert.True(result.Output.Split('%').Length > 5 * photos.Length, result.Output);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }
}
