using Hcr.MLNet.Data;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.Tests.TestSupport;
using SkiaSharp;

namespace Hcr.MLNet.Tests.Data;

public class LabeledImageFolderTests
{
    /// <summary>Writes <paramref name="perClass"/> photo-like PNGs of each synthetic glyph into a folder per class.</summary>
    private static void WritePhotos(string root, string classes, int perClass, Func<char, string>? folderName = null)
    {
        EmnistDataset glyphs = SyntheticGlyphs.Create(perClass, classes, seed: 3);
        var random = new Random(5);
        for (int i = 0; i < glyphs.Count; i++)
        {
            char c = glyphs.GetCharacter(i);
            string folder = Path.Combine(root, folderName?.Invoke(c) ?? c.ToString());
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, $"{i:D3}.png"), PhotoRenderer.Render(glyphs.GetImage(i), random, SKEncodedImageFormat.Png));
        }
    }

    [Fact]
    public void Reads_one_class_per_folder_through_the_recognizers_preprocessing()
    {
        using var dir = new TempDirectory();
        WritePhotos(dir.Path, "HVO", 2);
        File.WriteAllText(dir.File("README.txt"), "top-level files are ignored");
        File.WriteAllText(Path.Combine(dir.Path, "H", "notes.txt"), "not an image extension: ignored");
        Directory.CreateDirectory(Path.Combine(dir.Path, ".thumbnails", "x")); // hidden folder: ignored
        var preprocessing = new InkNormalizationOptions { CharacterSize = 22 };
        var reports = new RecordingProgress<LabeledImageFolderProgress>();

        LabeledImageFolder folder = LabeledImageFolder.Load(dir.Path, new LabeledImageFolderOptions { Preprocessing = preprocessing, Progress = reports });

        EmnistDataset data = folder.Dataset;
        Assert.Equal("HOV", new string(data.Classes.ToArray())); // ordinal order
        Assert.Equal([2, 2, 2], data.CountPerClass());
        Assert.Empty(folder.Skipped);
        Assert.Equal(6, reports.Reports.Count);
        Assert.Equal((6, 6), (reports.Reports[^1].Done, reports.Reports[^1].Total));
        var loader = new CharacterImageLoader();
        var normalizer = new InkNormalizer(preprocessing);
        for (int i = 0; i < data.Count; i++)
        {
            Assert.Equal(data.GetCharacter(i).ToString(), Path.GetFileName(Path.GetDirectoryName(folder.Files[i])));
            using var image = loader.Load(folder.Files[i]);
            Assert.True(normalizer.Normalize(image).Pixels.SequenceEqual(data.GetImage(i)), $"tile {i} differs from the preprocessing of {folder.Files[i]}");
        }
        Assert.Equal(6, data.ToDataView(new Microsoft.ML.MLContext()).GetRowCount());
    }

    [Fact]
    public void Escaped_folder_names_give_characters_a_folder_cannot_be_named()
    {
        using var dir = new TempDirectory();
        WritePhotos(dir.Path, "HV", 1, c => c == 'H' ? "U+002F" : "u+0061");
        LabeledImageFolder folder = LabeledImageFolder.Load(dir.Path);
        Assert.Equal("/a", new string(folder.Dataset.Classes.ToArray()));
        Assert.Equal("U+002F", LabeledImageFolder.FolderName('/'));
        Assert.Equal("a", LabeledImageFolder.FolderName('a'));
    }

    /// <summary>U+0000, TAB, newline and U+FFFF were accepted as class names, and printed into every list and message.</summary>
    [Theory]
    [InlineData("U+0000")]
    [InlineData("U+0009")]
    [InlineData("U+000A")]
    [InlineData("U+FFFF")]
    [InlineData("U+FDD0")]
    [InlineData("\t")]
    public void Control_characters_and_noncharacters_are_not_class_names(string folderName)
    {
        if (OperatingSystem.IsWindows() && folderName == "\t")
            return; // Windows folders cannot be named so
        using var dir = new TempDirectory();
        WritePhotos(dir.Path, "HV", 1, c => c == 'H' ? folderName : "V");
        var e = Assert.Throws<InvalidDataException>(() => LabeledImageFolder.Load(dir.Path));
        Assert.Contains("control character or a Unicode noncharacter", e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(dir.Path, folderName), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_folder_and_a_folder_without_class_folders_are_errors()
    {
        using var dir = new TempDirectory();
        Assert.Throws<DirectoryNotFoundException>(() => LabeledImageFolder.Load(dir.File("nowhere")));
        File.WriteAllText(dir.File("a.png"), "top-level files do not make classes");
        var e = Assert.Throws<InvalidDataException>(() => LabeledImageFolder.Load(dir.Path));
        Assert.Contains("no class folders", e.Message);
    }

    [Fact]
    public void A_class_folder_without_images_is_an_error_naming_it()
    {
        using var dir = new TempDirectory();
        WritePhotos(dir.Path, "H", 1);
        Directory.CreateDirectory(dir.File("V"));
        File.WriteAllText(Path.Combine(dir.Path, "V", "V.txt"), "not an image");
        var e = Assert.Throws<InvalidDataException>(() => LabeledImageFolder.Load(dir.Path));
        Assert.Contains(dir.File("V"), e.Message);
    }

    [Fact]
    public void A_folder_name_longer_than_one_character_is_an_error_naming_it()
    {
        using var dir = new TempDirectory();
        WritePhotos(dir.Path, "H", 1, _ => "letters");
        var e = Assert.Throws<InvalidDataException>(() => LabeledImageFolder.Load(dir.Path));
        Assert.Contains(dir.File("letters"), e.Message);
    }

    [Fact]
    public void Two_folders_for_one_character_are_an_error()
    {
        using var dir = new TempDirectory();
        WritePhotos(dir.Path, "H", 1);
        WritePhotos(dir.Path, "H", 1, _ => "U+0048");
        var e = Assert.Throws<InvalidDataException>(() => LabeledImageFolder.Load(dir.Path));
        Assert.Contains("'H'", e.Message);
    }

    [Fact]
    public void A_folder_inside_a_class_folder_is_an_error_naming_it()
    {
        using var dir = new TempDirectory();
        WritePhotos(dir.Path, "HV", 1);
        string nested = Path.Combine(dir.Path, "H", "more");
        Directory.CreateDirectory(nested);
        var e = Assert.Throws<InvalidDataException>(() => LabeledImageFolder.Load(dir.Path));
        Assert.Contains(nested, e.Message);
    }

    [Fact]
    public void An_unusable_image_throws_naming_it_or_is_skipped_and_listed()
    {
        using var dir = new TempDirectory();
        WritePhotos(dir.Path, "HV", 2);
        string broken = Path.Combine(dir.Path, "H", "broken.PNG"); // upper-case extension still counts as an image
        File.WriteAllText(broken, "not a PNG at all");
        string blank = Path.Combine(dir.Path, "V", "blank.png");
        File.WriteAllBytes(blank, TestImages.Encode(Enumerable.Repeat((byte)255, 64 * 64 * 4).ToArray(), 64, 64, SKEncodedImageFormat.Png));

        var e = Assert.Throws<UnusableImageException>(() => LabeledImageFolder.Load(dir.Path));
        Assert.Equal(broken, e.ImageSource);
        Assert.Contains(broken, e.Message);

        LabeledImageFolder folder = LabeledImageFolder.Load(dir.Path, new LabeledImageFolderOptions { SkipUnusable = true });
        Assert.Equal([2, 2], folder.Dataset.CountPerClass());
        Assert.Equal([broken, blank], folder.Skipped.Select(s => s.Path));
        Assert.All(folder.Skipped, s => Assert.False(string.IsNullOrWhiteSpace(s.Reason)));
    }

    [Fact]
    public void A_class_whose_images_are_all_unusable_is_an_error_even_when_skipping()
    {
        using var dir = new TempDirectory();
        WritePhotos(dir.Path, "H", 1);
        Directory.CreateDirectory(dir.File("V"));
        File.WriteAllText(Path.Combine(dir.Path, "V", "1.jpg"), "junk");
        var e = Assert.Throws<InvalidDataException>(() => LabeledImageFolder.Load(dir.Path, new LabeledImageFolderOptions { SkipUnusable = true }));
        Assert.Contains(dir.File("V"), e.Message);
    }

    /// <summary>
    /// A named pipe called <c>x.png</c> among the images blocked the load forever in open(), even with SkipUnusable; it is
    /// refused by its type before it is opened (skipped and listed, or the load fails naming it). Under a deadline, so that
    /// a regression fails rather than hangs the suite. Unix only (mkfifo).
    /// </summary>
    [Fact]
    public void A_named_pipe_among_the_images_is_refused_without_blocking()
    {
        if (OperatingSystem.IsWindows())
            return;
        using var dir = new TempDirectory();
        WritePhotos(dir.Path, "HV", 2);
        string fifo = NamedPipe.Make(Path.Combine(dir.Path, "H", "x.png"));

        NamedPipe.Refused<UnusableImageException>(fifo, () => LabeledImageFolder.Load(dir.Path));

        LabeledImageFolder? folder = null;
        Assert.Null(NamedPipe.Outcome(fifo, () => folder = LabeledImageFolder.Load(dir.Path, new LabeledImageFolderOptions { SkipUnusable = true })));
        SkippedImage skipped = Assert.Single(folder!.Skipped);
        Assert.Equal(fifo, skipped.Path);
        Assert.Contains("named pipe", skipped.Reason, StringComparison.Ordinal);
        Assert.Equal([2, 2], folder.Dataset.CountPerClass());
    }
}
