using Hcr.MLNet.Tests.TestSupport;

namespace Hcr.MLNet.Tests.Data;

/// <summary>On a clone without ../shared, the tests that need the real data say what is missing and how to get it.</summary>
public class SharedDataTests
{
    [Fact]
    public void Missing_data_is_named_with_where_to_get_it_and_the_fast_tier()
    {
        using var dir = new TempDirectory();

        string? message = SharedData.MissingMessage(SharedDataSet.Emnist, dir.Path);

        Assert.NotNull(message);
        Assert.Contains(dir.Path, message);
        Assert.Contains("emnist-bymerge-test-images-idx3-ubyte.gz", message);
        Assert.Contains("emnist-mnist-mapping.txt", message);
        Assert.Contains("https://", message);
        Assert.Contains("HCR_EMNIST_DIR", message);
        Assert.Contains("Category!=Slow", message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void A_folder_with_the_needed_parts_is_accepted()
    {
        using var dir = new TempDirectory();
        EmnistFiles.WriteSplit(dir.Path, "bymerge", SyntheticGlyphs.Create(2), SyntheticGlyphs.Create(2, seed: 3));
        EmnistFiles.WriteSplit(dir.Path, "mnist", SyntheticGlyphs.Create(2), SyntheticGlyphs.Create(2, seed: 3));
        Assert.Contains("emnist-byclass-test-images-idx3-ubyte.gz", SharedData.MissingMessage(SharedDataSet.Emnist, dir.Path));

        EmnistFiles.WriteSplit(dir.Path, "byclass", SyntheticGlyphs.Create(2), SyntheticGlyphs.Create(2, seed: 3));
        Assert.Null(SharedData.MissingMessage(SharedDataSet.Emnist, dir.Path));
    }
}
