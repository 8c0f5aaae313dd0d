using System.Net;
using System.Net.Http.Headers;

namespace Hcr.MLNet.Data;

/// <summary>
/// Downloads one file over HTTP into <c>&lt;destination&gt;.partial</c>, then renames it to its final
/// name, so that a file under the final name is always complete. A partial file left by an earlier
/// attempt is resumed with a range request; the partial file only ever holds a prefix of the body,
/// in order, so whatever is in it can be resumed from.
/// </summary>
internal static class ResumableDownload
{
    /// <summary>Appended to the destination's name while the download is incomplete.</summary>
    public const string PartialSuffix = ".partial";

    private const int BufferSize = 1 << 16;

    private static readonly ProductInfoHeaderValue UserAgent =
        new("Hcr.MLNet", typeof(ResumableDownload).Assembly.GetName().Version?.ToString(3) ?? "0");

    /// <exception cref="HttpRequestException">The server could not be reached or answered with an error status.</exception>
    /// <exception cref="IOException">The transfer broke off or stalled; the partial file is kept for the next call to resume.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the partial file is kept for the next call to resume.</exception>
    public static async Task DownloadAsync(HttpClient client, Uri uri, string destination, TimeSpan stallTimeout,
        IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        string partial = destination + PartialSuffix;
        long have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        while (true)
        {
            using HttpRequestMessage request = CreateRequest(client, uri, have);
            using HttpResponseMessage response = await SendAsync(client, request, uri, cancellationToken).ConfigureAwait(false);

            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
            {
                // Nothing lies past the bytes we have: either they are the whole file (an earlier run
                // stopped just before the rename), or the partial file is longer than the file and
                // cannot be from it, so start over (have = 0 sends no range, so this happens once).
                if (response.Content.Headers.ContentRange?.Length == have)
                {
                    progress?.Report(new DownloadProgress(DownloadStage.Downloading, Path.GetFileName(destination), have, have));
                    break;
                }
                File.Delete(partial);
                have = 0;
                continue;
            }
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException(
                    $"Downloading {uri} failed: the server answered {(int)response.StatusCode} {response.ReasonPhrase}.",
                    null, response.StatusCode);
            }

            long start = StartOf(response, have, uri, partial);
            long? total = response.StatusCode == HttpStatusCode.PartialContent
                ? response.Content.Headers.ContentRange?.Length ?? start + response.Content.Headers.ContentLength
                : response.Content.Headers.ContentLength;
            await ReceiveAsync(response, uri, partial, start, total, stallTimeout, progress, cancellationToken).ConfigureAwait(false);
            break;
        }
        File.Move(partial, destination, overwrite: true);
    }

    private static HttpRequestMessage CreateRequest(HttpClient client, Uri uri, long have)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (have > 0)
            request.Headers.Range = new RangeHeaderValue(have, null);
        // Some servers turn away requests that carry no User-Agent; a caller's own client keeps its own.
        if (client.DefaultRequestHeaders.UserAgent.Count == 0)
            request.Headers.UserAgent.Add(UserAgent);
        return request;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpRequestMessage request, Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            // Headers only: the body is streamed to disk, never held in memory.
            return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new HttpRequestException($"Could not download {uri}: {e.Message}", e, e.StatusCode);
        }
    }

    /// <summary>Where the response body starts in the file: where we asked (206), or at 0 when the server sends it all (200).</summary>
    private static long StartOf(HttpResponseMessage response, long have, Uri uri, string partial)
    {
        if (response.StatusCode != HttpStatusCode.PartialContent)
            return 0;
        long? from = response.Content.Headers.ContentRange?.From;
        if (from != have)
        {
            throw new IOException(
                $"{uri} answered a request for the bytes from {have:N0} on with bytes from {from?.ToString("N0", null) ?? "an unstated offset"}, " +
                $"so the download cannot resume. Delete {partial} to download it from the start.");
        }
        return have;
    }

    private static async Task ReceiveAsync(HttpResponseMessage response, Uri uri, string partial, long start, long? total,
        TimeSpan stallTimeout, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        string name = Path.GetFileName(partial[..^PartialSuffix.Length]);
        // Append to a resumed download; a 200 answer carries the whole file, so the old bytes go.
        var file = new FileStream(partial, start > 0 ? FileMode.Append : FileMode.Create, FileAccess.Write,
            FileShare.None, BufferSize, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var buffer = new byte[BufferSize];
                long done = start;
                progress?.Report(new DownloadProgress(DownloadStage.Downloading, name, done, total));
                while (true)
                {
                    // Checked here too because a read may complete from buffered data without looking at the token.
                    cancellationToken.ThrowIfCancellationRequested();
                    int read;
                    try
                    {
                        stall.CancelAfter(stallTimeout);
                        read = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
                    {
                        // The caller's cancellation is reported as such, not as a network failure.
                        cancellationToken.ThrowIfCancellationRequested();
                        string why = e is OperationCanceledException ? $"nothing arrived for {stallTimeout.TotalSeconds:0.###} s" : e.Message;
                        throw BrokenOff(uri, partial, done, total, why, e);
                    }
                    if (read == 0)
                        break;
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    done += read;
                    progress?.Report(new DownloadProgress(DownloadStage.Downloading, name, done, total));
                }
                if (total is long expected && done != expected)
                    throw BrokenOff(uri, partial, done, total, "the body ended early", null);
            }
        }
    }

    private static IOException BrokenOff(Uri uri, string partial, long done, long? total, string why, Exception? inner) =>
        new($"The download of {uri} broke off after {done:N0} of {total?.ToString("N0", null) ?? "an unknown number of"} bytes ({why}). " +
            $"The bytes received are kept in {partial}; download again to resume from there.", inner);
}
