namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>A request as <see cref="LoopbackHttpServer"/> received it.</summary>
public sealed record RecordedRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The <c>Range</c> header, or null when the request had none.</summary>
    public string? Range => Headers.TryGetValue("Range", out string? range) ? range : null;
}
