using System.Text;
using Hcr.MLNet.Data;
using Hcr.MLNet.Tests.TestSupport;

namespace Hcr.MLNet.Tests.Data;

public class EmnistDownloaderTests
{
    private const string DigitClasses = "0123456789";
    private const string ArchiveName = "gzip.zip";
    private const string PartialName = "gzip.zip.partial";

    private static readonly string[] DigitsFileNames =
    [
        EmnistFileNames.Images(EmnistSplit.Digits, EmnistPart.Train),
        EmnistFileNames.Labels(EmnistSplit.Digits, EmnistPart.Train),
        EmnistFileNames.Images(EmnistSplit.Digits, EmnistPart.Test),
        EmnistFileNames.Labels(EmnistSplit.Digits, EmnistPart.Test),
        EmnistFileNames.Mapping(EmnistSplit.Digits),
    ];

    [Fact]
    public async Task Clean_run_downloads_and_extracts_only_the_requested_split_reporting_progress()
    {
        using var dir = new TempDirectory();
        NistArchiveBuilder builder = TwoSplitArchive();
        byte[] archive = builder.Build();
        await using var server = new LoopbackHttpServer(archive);
        using HttpClient http = NoProxyClient();
        var progress = new RecordingProgress<DownloadProgress>();

        IReadOnlyList<string> files = await Downloader(server, http).DownloadAsync(dir.Path, EmnistSplit.Digits, progress);

        Assert.Equal(DigitsFileNames.Select(dir.File), files);
        // Only the digits files and the archive: the archive's MNIST split is not extracted, no temporary file is left.
        Assert.Equal(Sorted([.. DigitsFileNames, ArchiveName]), FileNamesIn(dir));
        foreach (string name in DigitsFileNames)
            Assert.Equal(builder.Files[name], File.ReadAllBytes(dir.File(name)));
        Assert.Equal(archive, File.ReadAllBytes(dir.File(ArchiveName)));
        var train = EmnistDataset.Load(dir.Path, EmnistSplit.Digits, EmnistPart.Train);
        var test = EmnistDataset.Load(dir.Path, EmnistSplit.Digits, EmnistPart.Test);
        Assert.Equal([0, 1, 2, 3, 4, 5], train.Labels.ToArray());
        Assert.Equal([0, 1, 2, 3], test.Labels.ToArray());
        Assert.Equal(DigitClasses.ToCharArray(), train.Classes);
        RecordedRequest request = Assert.Single(server.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Null(request.Range);

        IReadOnlyList<DownloadProgress> reports = progress.Reports;
        // Stages come in order: every download report, then extraction, then verification.
        Assert.Equal(reports.Select(r => r.Stage).Order(), reports.Select(r => r.Stage));
        DownloadProgress[] downloading = reports.Where(r => r.Stage == DownloadStage.Downloading).ToArray();
        Assert.True(downloading.Length >= 3, $"expected several download reports, got {downloading.Length}");
        Assert.Equal(0, downloading[0].BytesDone);
        Assert.All(downloading.Skip(1).Zip(downloading), pair => Assert.True(pair.First.BytesDone > pair.Second.BytesDone));
        Assert.Equal(archive.Length, downloading[^1].BytesDone);
        Assert.All(downloading, r => Assert.Equal(archive.Length, r.TotalBytes));
        Assert.All(downloading, r => Assert.Equal(ArchiveName, r.FileName));
        long splitBytes = DigitsFileNames.Sum(name => (long)builder.Files[name].Length);
        AssertStageEndsComplete(reports, DownloadStage.Extracting, splitBytes);
        AssertStageEndsComplete(reports, DownloadStage.Verifying, splitBytes);
    }

    [Fact]
    public async Task Cut_connection_fails_clearly_keeps_the_partial_file_and_the_next_call_resumes_it()
    {
        using var dir = new TempDirectory();
        NistArchiveBuilder builder = TwoSplitArchive();
        byte[] archive = builder.Build();
        long half = archive.Length / 2;
        await using var server = new LoopbackHttpServer(archive) { CutFirstResponseAfter = half };
        using HttpClient http = NoProxyClient();
        // Checksums for the data files, so that the resumed archive is checked byte for byte.
        EmnistDownloader downloader = Downloader(server, http, options =>
        {
            foreach (string name in DigitsFileNames.SkipLast(1))
                options.Checksums[name] = Md5.Of(builder.Files[name]);
        });

        var error = await Assert.ThrowsAsync<IOException>(() => downloader.DownloadAsync(dir.Path, EmnistSplit.Digits));

        Assert.Contains(server.Uri.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains(dir.File(PartialName), error.Message, StringComparison.Ordinal);
        Assert.Contains("resume", error.Message, StringComparison.Ordinal);
        Assert.Equal(half, new FileInfo(dir.File(PartialName)).Length);
        Assert.Equal([PartialName], FileNamesIn(dir));

        var progress = new RecordingProgress<DownloadProgress>();
        await downloader.DownloadAsync(dir.Path, EmnistSplit.Digits, progress);

        Assert.Equal(2, server.Requests.Count);
        Assert.Null(server.Requests[0].Range);
        Assert.Equal($"bytes={half}-", server.Requests[1].Range);
        Assert.Equal(half, progress.Reports.First(r => r.Stage == DownloadStage.Downloading).BytesDone);
        Assert.Equal(archive, File.ReadAllBytes(dir.File(ArchiveName)));
        Assert.Equal(Sorted([.. DigitsFileNames, ArchiveName]), FileNamesIn(dir));
        foreach (string name in DigitsFileNames)
            Assert.Equal(builder.Files[name], File.ReadAllBytes(dir.File(name)));
    }

    [Fact]
    public async Task File_failing_its_checksum_is_rejected_by_name_and_not_left_behind()
    {
        using var dir = new TempDirectory();
        string name = EmnistFileNames.Images(EmnistSplit.Digits, EmnistPart.Train);
        // Expected: the file of one archive. Served: an archive whose file is well formed but different.
        string expected = Md5.Of(new NistArchiveBuilder().AddSplit(EmnistSplit.Digits, DigitClasses, 6, 4, seed: 1).Files[name]);
        byte[] archive = new NistArchiveBuilder().AddSplit(EmnistSplit.Digits, DigitClasses, 6, 4, seed: 7).Build();
        await using var server = new LoopbackHttpServer(archive);
        using HttpClient http = NoProxyClient();
        EmnistDownloader downloader = Downloader(server, http, options => options.Checksums[name] = expected);

        var error = await Assert.ThrowsAsync<EmnistFormatException>(() => downloader.DownloadAsync(dir.Path, EmnistSplit.Digits));

        Assert.Equal(dir.File(name), error.FilePath);
        Assert.Contains("MD5", error.Problem, StringComparison.Ordinal);
        Assert.Contains(expected, error.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain(".tmp", error.Message, StringComparison.Ordinal);
        // Neither the bad file nor any other file of the split is left, under any name.
        Assert.Equal([ArchiveName], FileNamesIn(dir));
    }

    [Fact]
    public async Task Malformed_file_without_checksum_is_rejected_by_loading_it()
    {
        using var dir = new TempDirectory();
        string name = EmnistFileNames.Labels(EmnistSplit.Digits, EmnistPart.Train);
        byte[] badLabels;
        using (var staging = new TempDirectory())
        {
            EmnistFiles.WriteLabels(staging.File(name), [0, 1, 2, 3, 4, 12]);
            badLabels = File.ReadAllBytes(staging.File(name));
        }
        byte[] archive = TwoSplitArchive().Replace(name, badLabels).Build();
        await using var server = new LoopbackHttpServer(archive);
        using HttpClient http = NoProxyClient();

        var error = await Assert.ThrowsAsync<EmnistFormatException>(() => Downloader(server, http).DownloadAsync(dir.Path, EmnistSplit.Digits));

        Assert.Equal(dir.File(name), error.FilePath);
        Assert.Contains("label 12", error.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain(".tmp", error.Message, StringComparison.Ordinal);
        Assert.Equal([ArchiveName], FileNamesIn(dir));
    }

    [Fact]
    public async Task Server_ignoring_the_range_request_makes_the_download_start_over()
    {
        using var dir = new TempDirectory();
        NistArchiveBuilder builder = TwoSplitArchive();
        byte[] archive = builder.Build();
        await using var server = new LoopbackHttpServer(archive) { IgnoreRange = true };
        using HttpClient http = NoProxyClient();
        // Bytes that are not the archive's: appended to, they would spoil the result.
        File.WriteAllBytes(dir.File(PartialName), Enumerable.Repeat((byte)0xAB, 1000).ToArray());
        var progress = new RecordingProgress<DownloadProgress>();

        await Downloader(server, http).DownloadAsync(dir.Path, EmnistSplit.Digits, progress);

        Assert.Equal("bytes=1000-", Assert.Single(server.Requests).Range);
        Assert.Equal(0, progress.Reports.First(r => r.Stage == DownloadStage.Downloading).BytesDone);
        Assert.Equal(archive, File.ReadAllBytes(dir.File(ArchiveName)));
        Assert.Equal(Sorted([.. DigitsFileNames, ArchiveName]), FileNamesIn(dir));
        Assert.Equal(6, EmnistDataset.Load(dir.Path, EmnistSplit.Digits, EmnistPart.Train).Count);
    }

    [Fact]
    public async Task Partial_file_already_complete_is_finished_without_downloading_again()
    {
        using var dir = new TempDirectory();
        byte[] archive = TwoSplitArchive().Build();
        await using var server = new LoopbackHttpServer(archive);
        using HttpClient http = NoProxyClient();
        File.WriteAllBytes(dir.File(PartialName), archive);

        await Downloader(server, http).DownloadAsync(dir.Path, EmnistSplit.Digits);

        // The server answers 416 with the file's length, which equals what is already there.
        Assert.Equal($"bytes={archive.Length}-", Assert.Single(server.Requests).Range);
        Assert.Equal(archive, File.ReadAllBytes(dir.File(ArchiveName)));
        Assert.Equal(Sorted([.. DigitsFileNames, ArchiveName]), FileNamesIn(dir));
    }

    [Fact]
    public async Task Partial_file_longer_than_the_archive_is_discarded_and_the_download_starts_over()
    {
        using var dir = new TempDirectory();
        byte[] archive = TwoSplitArchive().Build();
        await using var server = new LoopbackHttpServer(archive);
        using HttpClient http = NoProxyClient();
        File.WriteAllBytes(dir.File(PartialName), new byte[archive.Length + 10]);

        await Downloader(server, http).DownloadAsync(dir.Path, EmnistSplit.Digits);

        // 416 with a length other than what is there: the partial file cannot be from this archive.
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal($"bytes={archive.Length + 10}-", server.Requests[0].Range);
        Assert.Null(server.Requests[1].Range);
        Assert.Equal(archive, File.ReadAllBytes(dir.File(ArchiveName)));
    }

    [Fact]
    public async Task Split_already_present_and_verified_makes_no_request()
    {
        using var dir = new TempDirectory();
        await using var server = new LoopbackHttpServer(TwoSplitArchive().Build());
        using HttpClient http = NoProxyClient();
        EmnistDownloader downloader = Downloader(server, http);
        await downloader.DownloadAsync(dir.Path, EmnistSplit.Digits);
        // Without the archive, only the extracted files themselves can satisfy the second call.
        File.Delete(dir.File(ArchiveName));
        var progress = new RecordingProgress<DownloadProgress>();

        IReadOnlyList<string> files = await downloader.DownloadAsync(dir.Path, EmnistSplit.Digits, progress);

        Assert.Single(server.Requests);
        Assert.Equal(DigitsFileNames.Select(dir.File), files);
        Assert.Equal(Sorted(DigitsFileNames), FileNamesIn(dir));
        Assert.NotEmpty(progress.Reports);
        Assert.All(progress.Reports, r => Assert.Equal(DownloadStage.Verifying, r.Stage));
    }

    [Fact]
    public async Task Present_but_damaged_file_is_extracted_again_from_the_kept_archive()
    {
        using var dir = new TempDirectory();
        NistArchiveBuilder builder = TwoSplitArchive();
        await using var server = new LoopbackHttpServer(builder.Build());
        using HttpClient http = NoProxyClient();
        EmnistDownloader downloader = Downloader(server, http);
        await downloader.DownloadAsync(dir.Path, EmnistSplit.Digits);
        string labels = EmnistFileNames.Labels(EmnistSplit.Digits, EmnistPart.Test);
        File.WriteAllBytes(dir.File(labels), [1, 2, 3]);

        await downloader.DownloadAsync(dir.Path, EmnistSplit.Digits);

        Assert.Single(server.Requests);
        Assert.Equal(builder.Files[labels], File.ReadAllBytes(dir.File(labels)));
    }

    [Fact]
    public async Task Another_split_comes_from_the_kept_archive_without_a_new_request()
    {
        using var dir = new TempDirectory();
        await using var server = new LoopbackHttpServer(TwoSplitArchive().Build());
        using HttpClient http = NoProxyClient();
        EmnistDownloader downloader = Downloader(server, http);
        await downloader.DownloadAsync(dir.Path, EmnistSplit.Digits);

        await downloader.DownloadAsync(dir.Path, EmnistSplit.Mnist);

        Assert.Single(server.Requests);
        Assert.Equal(300, EmnistDataset.Load(dir.Path, EmnistSplit.Mnist, EmnistPart.Train).Count);
        Assert.Equal(100, EmnistDataset.Load(dir.Path, EmnistSplit.Mnist, EmnistPart.Test).Count);
    }

    [Fact]
    public async Task Archive_is_deleted_after_extraction_when_not_kept()
    {
        using var dir = new TempDirectory();
        await using var server = new LoopbackHttpServer(TwoSplitArchive().Build());
        using HttpClient http = NoProxyClient();

        await Downloader(server, http, options => options.KeepArchive = false).DownloadAsync(dir.Path, EmnistSplit.Digits);

        Assert.Equal(Sorted(DigitsFileNames), FileNamesIn(dir));
    }

    [Fact]
    public async Task Cancelled_download_throws_and_keeps_the_partial_file_to_resume()
    {
        using var dir = new TempDirectory();
        byte[] archive = TwoSplitArchive().Build();
        long half = archive.Length / 2;
        // The server stops sending halfway, so the download cannot finish before the cancellation lands.
        await using var server = new LoopbackHttpServer(archive) { StallFirstResponseAfter = half };
        using HttpClient http = NoProxyClient();
        EmnistDownloader downloader = Downloader(server, http);
        using var cancellation = new CancellationTokenSource();
        var progress = new RecordingProgress<DownloadProgress>(report =>
        {
            if (report.Stage == DownloadStage.Downloading && report.BytesDone > 0)
                cancellation.Cancel();
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => downloader.DownloadAsync(dir.Path, EmnistSplit.Digits, progress, cancellation.Token));

        long kept = new FileInfo(dir.File(PartialName)).Length;
        Assert.InRange(kept, 1, half);
        Assert.Equal([PartialName], FileNamesIn(dir));

        await downloader.DownloadAsync(dir.Path, EmnistSplit.Digits);

        Assert.Equal($"bytes={kept}-", server.Requests[^1].Range);
        Assert.Equal(archive, File.ReadAllBytes(dir.File(ArchiveName)));
    }

    [Fact]
    public async Task Stalled_download_is_abandoned_after_the_stall_timeout_keeping_the_partial_file()
    {
        using var dir = new TempDirectory();
        byte[] archive = TwoSplitArchive().Build();
        long half = archive.Length / 2;
        await using var server = new LoopbackHttpServer(archive) { StallFirstResponseAfter = half };
        using HttpClient http = NoProxyClient();
        EmnistDownloader downloader = Downloader(server, http, options => options.StallTimeout = TimeSpan.FromMilliseconds(500));

        var error = await Assert.ThrowsAsync<IOException>(() => downloader.DownloadAsync(dir.Path, EmnistSplit.Digits));

        Assert.Contains("nothing arrived for 0", error.Message, StringComparison.Ordinal);
        Assert.Contains(dir.File(PartialName), error.Message, StringComparison.Ordinal);
        // Normally all of the half that was sent; less only if the machine is slow enough to starve the server.
        Assert.InRange(new FileInfo(dir.File(PartialName)).Length, 1, half);
    }

    [Fact]
    public async Task Damaged_archive_is_reported_by_name_and_deleted_so_that_the_next_call_downloads_it_afresh()
    {
        using var dir = new TempDirectory();
        await using var server = new LoopbackHttpServer(Encoding.ASCII.GetBytes(new string('x', 5000)));
        using HttpClient http = NoProxyClient();

        var error = await Assert.ThrowsAsync<EmnistFormatException>(() => Downloader(server, http).DownloadAsync(dir.Path, EmnistSplit.Digits));

        Assert.Equal(dir.File(ArchiveName), error.FilePath);
        Assert.Contains("zip", error.Problem, StringComparison.Ordinal);
        Assert.Empty(FileNamesIn(dir));
    }

    [Fact]
    public async Task Archive_without_the_split_is_reported_by_name()
    {
        using var dir = new TempDirectory();
        await using var server = new LoopbackHttpServer(new NistArchiveBuilder().AddSplit(EmnistSplit.Mnist, DigitClasses, 2, 2).Build());
        using HttpClient http = NoProxyClient();

        var error = await Assert.ThrowsAsync<EmnistFormatException>(() => Downloader(server, http).DownloadAsync(dir.Path, EmnistSplit.Digits));

        Assert.Equal(dir.File(ArchiveName), error.FilePath);
        Assert.Contains(DigitsFileNames[0], error.Problem, StringComparison.Ordinal);
        Assert.Equal([ArchiveName], FileNamesIn(dir));
    }

    [Fact]
    public async Task Error_status_is_reported_with_the_address()
    {
        using var dir = new TempDirectory();
        await using var server = new LoopbackHttpServer([1, 2, 3], path: "/elsewhere.zip");
        using HttpClient http = NoProxyClient();
        var missing = new Uri(server.Uri, "/gzip.zip");
        var downloader = new EmnistDownloader(new EmnistDownloadOptions { ArchiveUri = missing, HttpClient = http });

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => downloader.DownloadAsync(dir.Path, EmnistSplit.Digits));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.StatusCode);
        Assert.Contains(missing.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Empty(FileNamesIn(dir));
    }

    [Fact]
    public async Task EmnistDataset_DownloadAsync_returns_files_already_present_without_going_online()
    {
        // Digits has no official checksum, so files written here pass by loading: the default
        // downloader (NIST's address) must accept them without a request, or this test fails offline.
        using var dir = new TempDirectory();
        foreach ((string name, byte[] content) in new NistArchiveBuilder().AddSplit(EmnistSplit.Digits, DigitClasses, 3, 2).Files)
            File.WriteAllBytes(dir.File(name), content);

        IReadOnlyList<string> files = await EmnistDataset.DownloadAsync(dir.Path, EmnistSplit.Digits);

        Assert.Equal(DigitsFileNames.Select(dir.File), files);
    }

    private static NistArchiveBuilder TwoSplitArchive() => new NistArchiveBuilder()
        .AddSplit(EmnistSplit.Digits, DigitClasses, trainCount: 6, testCount: 4, seed: 1)
        // A larger split beside it: it must not be extracted, and it makes the download take many reads.
        .AddSplit(EmnistSplit.Mnist, DigitClasses, trainCount: 300, testCount: 100, seed: 2);

    private static EmnistDownloader Downloader(LoopbackHttpServer server, HttpClient http, Action<EmnistDownloadOptions>? configure = null)
    {
        // A stall timeout far below the default, so that a broken test fails instead of hanging.
        var options = new EmnistDownloadOptions { ArchiveUri = server.Uri, HttpClient = http, StallTimeout = TimeSpan.FromSeconds(5) };
        configure?.Invoke(options);
        return new EmnistDownloader(options);
    }

    // Loopback only: a proxy configured on the machine must not see these requests.
    private static HttpClient NoProxyClient() =>
        new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    private static string[] FileNamesIn(TempDirectory dir) => Sorted(Directory.GetFiles(dir.Path).Select(Path.GetFileName).OfType<string>());

    private static string[] Sorted(IEnumerable<string> names) => names.Order(StringComparer.Ordinal).ToArray();

    private static void AssertStageEndsComplete(IReadOnlyList<DownloadProgress> reports, DownloadStage stage, long total)
    {
        DownloadProgress[] ofStage = reports.Where(r => r.Stage == stage).ToArray();
        Assert.NotEmpty(ofStage);
        Assert.All(ofStage.Skip(1).Zip(ofStage), pair => Assert.True(pair.First.BytesDone >= pair.Second.BytesDone));
        Assert.Equal(total, ofStage[^1].BytesDone);
        Assert.All(ofStage, r => Assert.Equal(total, r.TotalBytes));
    }
}
