using Hcr.MLNet.Data;
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

    [Fact]
    public void Predict_among_digits_reads_each_photo_as_a_digit_and_refuses_characters_without_a_class()
    {
        using var dir = new TempDirectory();
        string photo = Path.Combine(SharedData.RepositoryRoot, "samples", "images", "B.jpg");

        var digits = DemoProcess.Run(dir.Path, "predict", photo, "--among", "digits", "--top", "3");

        Assert.True(digits.ExitCode == 0, digits.Output + digits.Error);
        string row = digits.Output.Split('\n').Single(l => l.Contains("B.jpg", StringComparison.Ordinal));
        string[] cells = row.Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Matches(@"^[0-9] ", cells[1]);                                  // read as a digit
        Assert.Matches(@"^[0-9] \S+ %\s+[0-9] \S+ %\s+[0-9] \S+ %$", cells[2]); // and so are its top 3
        var unknown = DemoProcess.Run(dir.Path, "predict", photo, "--among", "AB%");
        DemoProcess.AssertOneLineError(unknown, "--among: '%' is not one of the recognizer's 47 classes");
        Assert.DoesNotContain("Parameter", unknown.Error);
    }

    /// <summary>
    /// finetune --holdout 0.5 with one image per character printed "accuracy 0.00%" for an evaluation of no images; it says
    /// why nothing was held out, before training and without saving.
    /// </summary>
    [Fact]
    public void A_holdout_that_holds_out_nothing_is_an_error_before_training()
    {
        using var dir = new TempDirectory();
        string images = dir.File("mine");
        EmnistDataset glyphs = SyntheticGlyphs.Create(1, "HV", seed: 3);
        for (int i = 0; i < glyphs.Count; i++)
        {
            string folder = Path.Combine(images, glyphs.GetCharacter(i).ToString());
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, "1.png"), PhotoRenderer.Render(glyphs.GetImage(i), new Random(i), SkiaSharp.SKEncodedImageFormat.Png));
        }

        var result = DemoProcess.Run(dir.Path, "finetune", "--images", images, "--holdout", "0.5", "-o", "tuned.hcr");

        DemoProcess.AssertOneLineError(result, "--holdout 0.5 holds out no image");
        Assert.DoesNotContain("accuracy", result.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("tuned.hcr")));
    }
}
