using Hcr.MLNet.Data;
using Hcr.MLNet.Tests.TestSupport;

namespace Hcr.MLNet.Tests.Data;

public class EmnistLoadingTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LoadIdx_returns_images_upright_with_labels_and_classes(bool gzip)
    {
        using var dir = new TempDirectory();
        byte[] upright = EmnistFiles.PatternImages(5);
        EmnistFiles.WriteImages(dir.File("images"), EmnistFiles.Transpose(upright), 5, gzip: gzip);
        EmnistFiles.WriteLabels(dir.File("labels"), [2, 0, 1, 2, 1], gzip: gzip);
        EmnistFiles.WriteMapping(dir.File("mapping.txt"), "7Ab");

        var data = EmnistDataset.LoadIdx(dir.File("images"), dir.File("labels"), dir.File("mapping.txt"));

        Assert.Equal(5, data.Count);
        Assert.Equal(3, data.ClassCount);
        Assert.Equal(['7', 'A', 'b'], data.Classes);
        Assert.Equal([2, 0, 1, 2, 1], data.Labels.ToArray());
        Assert.Equal('b', data.GetCharacter(0));
        Assert.Equal(upright, data.Pixels.ToArray());
        // Row 1, column 0 of image 3 is (3*7 + 1*3 + 0) = 24: upright means rows come first.
        Assert.Equal(24, data.GetImage(3)[1 * 28 + 0]);
    }

    [Fact]
    public void Letters_labels_starting_at_one_become_class_indices_from_zero()
    {
        using var dir = new TempDirectory();
        EmnistFiles.WriteImages(dir.File("images"), new byte[3 * 784], 3);
        EmnistFiles.WriteLabels(dir.File("labels"), [1, 26, 2]);
        EmnistFiles.WriteMapping(dir.File("mapping.txt"), "ABCDEFGHIJKLMNOPQRSTUVWXYZ", firstLabel: 1);

        var data = EmnistDataset.LoadIdx(dir.File("images"), dir.File("labels"), dir.File("mapping.txt"));

        Assert.Equal([0, 25, 1], data.Labels.ToArray());
        Assert.Equal(26, data.ClassCount);
        Assert.Equal('Z', data.GetCharacter(1));
    }

    [Fact]
    public void Letters_mapping_with_two_codes_per_line_uses_the_first()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("emnist-letters-mapping.txt"), "1 65 97\n2 66 98\n");
        EmnistFiles.WriteImages(dir.File("emnist-letters-test-images-idx3-ubyte.gz"), new byte[784], 1);
        EmnistFiles.WriteLabels(dir.File("emnist-letters-test-labels-idx1-ubyte.gz"), [2]);

        var data = EmnistDataset.Load(dir.Path, EmnistSplit.Letters, EmnistPart.Test);

        Assert.Equal(['A', 'B'], data.Classes);
        Assert.Equal(1, data.GetLabel(0));
    }

    [Fact]
    public void Load_finds_official_names_gzipped_or_not_and_in_the_archive_gzip_folder()
    {
        using var dir = new TempDirectory();
        byte[] upright = EmnistFiles.PatternImages(2);
        EmnistFiles.WriteMapping(dir.File("emnist-balanced-mapping.txt"), "01");
        // Train: plain files at the top level. Test: gzipped, inside gzip/ as the NIST zip extracts.
        EmnistFiles.WriteImages(dir.File("emnist-balanced-train-images-idx3-ubyte"), EmnistFiles.Transpose(upright), 2, gzip: false);
        EmnistFiles.WriteLabels(dir.File("emnist-balanced-train-labels-idx1-ubyte"), [1, 0], gzip: false);
        Directory.CreateDirectory(dir.File("gzip"));
        EmnistFiles.WriteImages(dir.File("gzip/emnist-balanced-test-images-idx3-ubyte.gz"), EmnistFiles.Transpose(upright), 2);
        EmnistFiles.WriteLabels(dir.File("gzip/emnist-balanced-test-labels-idx1-ubyte.gz"), [0, 1]);

        var train = EmnistDataset.Load(dir.Path, EmnistSplit.Balanced, EmnistPart.Train);
        var test = EmnistDataset.Load(dir.Path, EmnistSplit.Balanced, EmnistPart.Test);

        Assert.Equal([1, 0], train.Labels.ToArray());
        Assert.Equal([0, 1], test.Labels.ToArray());
        Assert.Equal(upright, train.Pixels.ToArray());
        Assert.Equal(upright, test.Pixels.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Csv_export_loads_like_the_idx_files(bool header)
    {
        using var dir = new TempDirectory();
        byte[] upright = EmnistFiles.PatternImages(4);
        EmnistFiles.WriteMapping(dir.File("emnist-balanced-mapping.txt"), "xyz");
        EmnistFiles.WriteCsv(dir.File("emnist-balanced-train.csv"), EmnistFiles.Transpose(upright), [2, 1, 0, 2], header);

        var data = EmnistDataset.Load(dir.Path, EmnistSplit.Balanced, EmnistPart.Train);

        Assert.Equal(4, data.Count);
        Assert.Equal([2, 1, 0, 2], data.Labels.ToArray());
        Assert.Equal(upright, data.Pixels.ToArray());
    }

    [Fact]
    public void Create_checks_sizes_and_labels()
    {
        Assert.Throws<ArgumentException>(() => EmnistDataset.Create(new byte[783], [0], ['a']));
        Assert.Throws<ArgumentException>(() => EmnistDataset.Create(new byte[784], [1], ['a']));
        Assert.Throws<ArgumentException>(() => EmnistDataset.Create(new byte[784], [0], ['a', 'a']));
        var data = EmnistDataset.Create(new byte[2 * 784], [1, 0], ['a', 'b']);
        Assert.Equal([1, 1], data.CountPerClass());
    }

    [Fact]
    public void Subset_copies_the_chosen_images_in_order()
    {
        var data = EmnistDataset.Create(EmnistFiles.PatternImages(4), [0, 1, 2, 3], ['a', 'b', 'c', 'd']);
        var subset = data.Subset([3, 1]);
        Assert.Equal([3, 1], subset.Labels.ToArray());
        Assert.Equal(data.GetImage(3).ToArray(), subset.GetImage(0).ToArray());
        Assert.Equal(data.GetImage(1).ToArray(), subset.GetImage(1).ToArray());
    }

    [Fact]
    public void MissingFiles_names_what_Load_would_not_find()
    {
        using var dir = new TempDirectory();
        string[] all = ["emnist-bymerge-train-images-idx3-ubyte.gz", "emnist-bymerge-train-labels-idx1-ubyte.gz", "emnist-bymerge-mapping.txt"];
        Assert.Equal(all, EmnistDataset.MissingFiles(dir.File("absent"), EmnistSplit.ByMerge, EmnistPart.Train));
        Assert.Equal(all, EmnistDataset.MissingFiles(dir.Path, EmnistSplit.ByMerge, EmnistPart.Train));

        EmnistFiles.WriteSplit(dir.Path, "bymerge", SyntheticGlyphs.Create(2), SyntheticGlyphs.Create(2, seed: 3));
        File.Delete(dir.File("emnist-bymerge-train-labels-idx1-ubyte.gz"));
        Assert.Equal(["emnist-bymerge-train-labels-idx1-ubyte.gz"], EmnistDataset.MissingFiles(dir.Path, EmnistSplit.ByMerge, EmnistPart.Train));
        Assert.False(EmnistDataset.IsPresent(dir.Path, EmnistSplit.ByMerge, EmnistPart.Train));
        Assert.Empty(EmnistDataset.MissingFiles(dir.Path, EmnistSplit.ByMerge, EmnistPart.Test));
        Assert.True(EmnistDataset.IsPresent(dir.Path, EmnistSplit.ByMerge, EmnistPart.Test));

        // The CSV export stands in for the images and labels; the mapping is needed either way.
        File.WriteAllText(dir.File("emnist-bymerge-train.csv"), "");
        File.Delete(dir.File("emnist-bymerge-mapping.txt"));
        Assert.Equal(["emnist-bymerge-mapping.txt"], EmnistDataset.MissingFiles(dir.Path, EmnistSplit.ByMerge, EmnistPart.Train));
    }

    [Theory]
    [InlineData(EmnistSplit.Mnist, "MNIST")]
    [InlineData(EmnistSplit.ByMerge, "ByMerge")]
    [InlineData(EmnistSplit.ByClass, "ByClass")]
    [InlineData(EmnistSplit.Balanced, "Balanced")]
    [InlineData(EmnistSplit.Letters, "Letters")]
    [InlineData(EmnistSplit.Digits, "Digits")]
    public void Splits_have_the_papers_names(EmnistSplit split, string name)
    {
        Assert.Equal(name, split.DisplayName());
    }
}
