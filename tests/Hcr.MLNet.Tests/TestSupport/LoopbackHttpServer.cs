using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (a free port) that serves one file, honours
/// <c>Range: bytes=N-</c>, records every request, and can misbehave on cue: ignore ranges, or cut
/// or stall its first response partway through the body. One request per connection.
/// </summary>
public sealed partial class LoopbackHttpServer : IAsyncDisposable
{
    private const int ChunkSize = 16 * 1024;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _content;
    private readonly string _path;
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;

    public LoopbackHttpServer(byte[] content, string path = "/gzip.zip")
    {
        _content = content;
        _path = path;
        _listener.Start();
        int port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Uri = new Uri($"http://127.0.0.1:{port}{path}");
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The address of the served file.</summary>
    public Uri Uri { get; }

    /// <summary>Answer every request with 200 and the whole file, as servers without range support do.</summary>
    public bool IgnoreRange { get; set; }

    /// <summary>Close the connection after sending this many body bytes of the first response.</summary>
    public long? CutFirstResponseAfter { get; set; }

    /// <summary>Send this many body bytes of the first response, then send nothing more until disposed.</summary>
    public long? StallFirstResponseAfter { get; set; }

    /// <summary>The requests received so far, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
                return _requests.ToArray();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Task[] connections;
        lock (_connections)
            connections = _connections.ToArray();
        await Task.WhenAll([_acceptLoop, .. connections]);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            lock (_connections)
                _connections.Add(ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                await RespondAsync(client, client.GetStream(), _stop.Token);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away or the server is stopping: either way the exchange is over.
            }
        }
    }

    private async Task RespondAsync(TcpClient client, NetworkStream stream, CancellationToken stop)
    {
        string head = await ReadHeadAsync(stream, stop);
        string[] lines = head.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        string[] requestLine = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        int index;
        lock (_requests)
        {
            index = _requests.Count;
            _requests.Add(new RecordedRequest(requestLine[0], requestLine[1], headers));
        }

        if (requestLine[1] != _path)
        {
            await WriteHeadAsync(stream, "404 Not Found", [("Content-Length", "0")], stop);
            return;
        }

        long length = _content.Length;
        long from = 0;
        long to = length - 1;
        bool partial = false;
        if (!IgnoreRange && headers.TryGetValue("Range", out string? range) && RangePattern().Match(range) is { Success: true } match)
        {
            from = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            if (match.Groups[2].Length > 0)
                to = Math.Min(to, long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
            if (from >= length)
            {
                await WriteHeadAsync(stream, "416 Range Not Satisfiable", [("Content-Range", $"bytes */{length}"), ("Content-Length", "0")], stop);
                return;
            }
            partial = true;
        }

        List<(string, string)> responseHeaders = [("Content-Type", "application/zip"), ("Accept-Ranges", "bytes"), ("Content-Length", (to - from + 1).ToString(CultureInfo.InvariantCulture))];
        if (partial)
            responseHeaders.Add(("Content-Range", $"bytes {from}-{to}/{length}"));
        await WriteHeadAsync(stream, partial ? "206 Partial Content" : "200 OK", responseHeaders, stop);

        long? cut = index == 0 ? CutFirstResponseAfter : null;
        long? stall = index == 0 ? StallFirstResponseAfter : null;
        long end = to + 1;
        if ((cut ?? stall) is long limit)
            end = Math.Min(end, from + limit);
        // Small chunks, so that the client sees the body arrive in several reads.
        for (long offset = from; offset < end; offset += ChunkSize)
        {
            await stream.WriteAsync(_content.AsMemory((int)offset, (int)Math.Min(ChunkSize, end - offset)), stop);
            await stream.FlushAsync(stop);
        }
        if (stall is not null)
            await Task.Delay(Timeout.Infinite, stop);

        // Close gracefully (FIN, not RST) and wait for the client to hang up, so that it reads every byte sent.
        client.Client.Shutdown(SocketShutdown.Send);
        var sink = new byte[256];
        while (await stream.ReadAsync(sink, stop) > 0)
        {
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken stop)
    {
        var head = new List<byte>();
        var buffer = new byte[1];
        // Byte by byte, so that nothing after the blank line is consumed.
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(buffer, stop) == 0)
                throw new IOException("The client closed the connection before finishing its request.");
            head.Add(buffer[0]);
        }
        return Encoding.ASCII.GetString(head.ToArray());
    }

    private static async Task WriteHeadAsync(NetworkStream stream, string status, IEnumerable<(string Name, string Value)> headers, CancellationToken stop)
    {
        var text = new StringBuilder().Append("HTTP/1.1 ").Append(status).Append("\r\n");
        foreach ((string name, string value) in headers)
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        text.Append("Connection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()), stop);
    }

    [GeneratedRegex(@"^bytes=(\d+)-(\d*)$")]
    private static partial Regex RangePattern();
}
