using Hcr.MLNet.Data;
using Hcr.MLNet.Tests.TestSupport;

namespace Hcr.MLNet.Tests.Characters;

/// <summary>The one-call training when the data is not there and cannot be fetched; nothing here trains.</summary>
public class RecognizerDownloadTests
{
    [Fact]
    public void A_failed_download_says_what_was_wanted_and_where_to_pass_the_data()
    {
        using var dir = new TempDirectory();
        var options = new RecognizerTrainingOptions
        {
            DataDirectory = dir.File("emnist"),
            Split = EmnistSplit.Mnist,
            // A port that refuses connections stands in for a machine without internet.
            DownloadOptions = new EmnistDownloadOptions { ArchiveUri = new Uri("http://127.0.0.1:9/gzip.zip") },
        };

        var e = Assert.Throws<IOException>(() => HandwritingRecognizer.Train(options));

        Assert.IsType<HttpRequestException>(e.InnerException);
        Assert.Contains("EMNIST MNIST is not in " + dir.File("emnist"), e.Message);
        Assert.Contains("RecognizerTrainingOptions.DataDirectory", e.Message);
        Assert.Contains("WithData(", e.Message);
    }
}
