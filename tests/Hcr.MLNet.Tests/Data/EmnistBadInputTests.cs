using System.IO.Compression;
using Hcr.MLNet.Data;
using Hcr.MLNet.Tests.TestSupport;

namespace Hcr.MLNet.Tests.Data;

/// <summary>Every malformed input raises a typed exception naming the file and the problem.</summary>
public sealed class EmnistBadInputTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public EmnistBadInputTests()
    {
        EmnistFiles.WriteMapping(Mapping, "abc");
    }

    private string Images => _dir.File("images.gz");
    private string Labels => _dir.File("labels.gz");
    private string Mapping => _dir.File("mapping.txt");

    public void Dispose() => _dir.Dispose();

    private EmnistFormatException LoadFails(string expectedFile, string expectedProblem)
    {
        var e = Assert.Throws<EmnistFormatException>(() => EmnistDataset.LoadIdx(Images, Labels, Mapping));
        Assert.Equal(expectedFile, e.FilePath);
        Assert.Contains(expectedFile, e.Message);
        Assert.Contains(expectedProblem, e.Message);
        return e;
    }

    [Fact]
    public void Wrong_magic_number_in_images()
    {
        EmnistFiles.WriteImages(Images, new byte[784], 1, magic: 0x00000801);
        EmnistFiles.WriteLabels(Labels, [0]);
        LoadFails(Images, "wrong magic number 0x00000801");
    }

    [Fact]
    public void Wrong_magic_number_in_labels_for_example_images_given_as_labels()
    {
        EmnistFiles.WriteImages(Images, new byte[784], 1);
        EmnistFiles.WriteImages(Labels, new byte[784], 1);
        LoadFails(Labels, "wrong magic number 0x00000803");
    }

    [Fact]
    public void Truncated_images()
    {
        EmnistFiles.WriteImages(Images, new byte[2 * 784 - 10], 2);
        EmnistFiles.WriteLabels(Labels, [0, 1]);
        LoadFails(Images, "truncated");
    }

    [Fact]
    public void Truncated_header()
    {
        File.WriteAllBytes(Images, [0, 0, 8, 3, 0, 0]);
        EmnistFiles.WriteLabels(Labels, [0]);
        LoadFails(Images, "truncated");
    }

    [Fact]
    public void Truncated_labels()
    {
        EmnistFiles.WriteImages(Images, new byte[3 * 784], 3);
        EmnistFiles.WriteLabels(Labels, [0, 1], declaredCount: 3);
        LoadFails(Labels, "truncated");
    }

    [Fact]
    public void Truncated_gzip_stream()
    {
        EmnistFiles.WriteImages(Images, EmnistFiles.PatternImages(50), 50);
        byte[] whole = File.ReadAllBytes(Images);
        File.WriteAllBytes(Images, whole[..(whole.Length / 2)]);
        EmnistFiles.WriteLabels(Labels, new byte[50]);
        Assert.Throws<EmnistFormatException>(() => EmnistDataset.LoadIdx(Images, Labels, Mapping));
    }

    [Fact]
    public void Data_beyond_the_declared_count()
    {
        EmnistFiles.WriteImages(Images, new byte[2 * 784], 1);
        EmnistFiles.WriteLabels(Labels, [0]);
        LoadFails(Images, "longer than");
    }

    [Fact]
    public void Image_and_label_counts_differ()
    {
        EmnistFiles.WriteImages(Images, new byte[2 * 784], 2);
        EmnistFiles.WriteLabels(Labels, [0, 1, 2]);
        var e = LoadFails(Images, "holds 2 images");
        Assert.Contains("3 labels", e.Message);
        Assert.Contains(Labels, e.Message);
    }

    [Fact]
    public void Dimensions_other_than_28_by_28()
    {
        EmnistFiles.WriteImages(Images, new byte[32 * 32], 1, rows: 32, cols: 32);
        EmnistFiles.WriteLabels(Labels, [0]);
        LoadFails(Images, "32x32");
    }

    [Fact]
    public void Label_outside_the_mapping()
    {
        EmnistFiles.WriteImages(Images, new byte[2 * 784], 2);
        EmnistFiles.WriteLabels(Labels, [0, 3]);
        LoadFails(Labels, "label 3 of item 1");
    }

    [Fact]
    public void Missing_files_raise_FileNotFoundException_naming_the_file()
    {
        EmnistFiles.WriteLabels(Labels, [0]);
        var e = Assert.Throws<FileNotFoundException>(() => EmnistDataset.LoadIdx(Images, Labels, Mapping));
        Assert.Equal(Images, e.FileName);

        EmnistFiles.WriteImages(Images, new byte[784], 1);
        e = Assert.Throws<FileNotFoundException>(() => EmnistDataset.LoadIdx(Images, Labels, _dir.File("nope.txt")));
        Assert.Contains("nope.txt", e.Message);
    }

    [Fact]
    public void Load_from_a_folder_without_the_split_names_the_expected_files()
    {
        var e = Assert.Throws<FileNotFoundException>(() => EmnistDataset.Load(_dir.Path, EmnistSplit.Digits, EmnistPart.Train));
        Assert.Contains("emnist-digits-train-images-idx3-ubyte.gz", e.Message);
        Assert.Contains("emnist-digits-train.csv", e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => EmnistDataset.Load(_dir.File("absent"), EmnistSplit.Digits, EmnistPart.Train));
    }

    [Fact]
    public void Corrupt_gzip_data()
    {
        byte[] bogus = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8];
        File.WriteAllBytes(Images, bogus);
        EmnistFiles.WriteLabels(Labels, [0]);
        LoadFails(Images, "gzip");
    }

    [Theory]
    [InlineData("0 48\n2 49\n", "label 1 is missing")]
    [InlineData("0 48\n0 49\n", "appears twice")]
    [InlineData("0 x\n", "line 1")]
    [InlineData("", "empty")]
    [InlineData("5 48\n", "start at 0 or 1")]
    public void Malformed_mapping(string content, string problem)
    {
        File.WriteAllText(Mapping, content);
        EmnistFiles.WriteImages(Images, new byte[784], 1);
        EmnistFiles.WriteLabels(Labels, [0]);
        LoadFails(Mapping, problem);
    }

    [Theory]
    [InlineData("0,1,2\n", "has 3 fields")]
    [InlineData("0,abc", "field 2 ('abc')")]
    [InlineData("0,300", "pixel 0 is 300")]
    [InlineData("-1,0", "field 1 ('-1')")]
    public void Malformed_csv_row(string rowStart, string problem)
    {
        string csv = _dir.File("data.csv");
        string row = rowStart.EndsWith('\n') ? rowStart : rowStart + string.Concat(Enumerable.Repeat(",0", 783)) + "\n";
        File.WriteAllText(csv, "1" + string.Concat(Enumerable.Repeat(",0", 784)) + "\n" + row);
        var e = Assert.Throws<EmnistFormatException>(() => EmnistDataset.LoadCsv(csv, Mapping));
        Assert.Equal(csv, e.FilePath);
        Assert.Contains("row 2", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Csv_row_with_too_many_fields_and_empty_csv()
    {
        string csv = _dir.File("data.csv");
        File.WriteAllText(csv, "1" + string.Concat(Enumerable.Repeat(",0", 785)) + "\n");
        Assert.Contains("more than 785 fields", Assert.Throws<EmnistFormatException>(() => EmnistDataset.LoadCsv(csv, Mapping)).Message);

        File.WriteAllText(csv, "");
        Assert.Contains("no rows", Assert.Throws<EmnistFormatException>(() => EmnistDataset.LoadCsv(csv, Mapping)).Message);
    }

    [Fact]
    public void Csv_label_outside_the_mapping()
    {
        string csv = _dir.File("data.csv");
        File.WriteAllText(csv, "7" + string.Concat(Enumerable.Repeat(",0", 784)) + "\n");
        var e = Assert.Throws<EmnistFormatException>(() => EmnistDataset.LoadCsv(csv, Mapping));
        Assert.Contains("label 7", e.Message);
    }

    [Fact]
    public void Gzipped_csv_loads()
    {
        string csv = _dir.File("data.csv.gz");
        using (var zip = new GZipStream(File.Create(csv), CompressionLevel.Fastest))
        using (var writer = new StreamWriter(zip))
            writer.Write("2" + string.Concat(Enumerable.Repeat(",9", 784)) + "\n");
        var data = EmnistDataset.LoadCsv(csv, Mapping);
        Assert.Equal(2, data.GetLabel(0));
        Assert.All(data.GetImage(0).ToArray(), b => Assert.Equal(9, b));
    }
}
