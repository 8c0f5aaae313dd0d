namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>
/// An <see cref="IProgress{T}"/> that records every report synchronously, in order (the BCL's
/// <c>Progress&lt;T&gt;</c> posts reports to the thread pool, where their order is not kept), and can
/// run an action on each report.
/// </summary>
public sealed class RecordingProgress<T>(Action<T>? onReport = null) : IProgress<T>
{
    private readonly List<T> _reports = [];

    public IReadOnlyList<T> Reports
    {
        get
        {
            lock (_reports)
                return _reports.ToArray();
        }
    }

    public void Report(T value)
    {
        lock (_reports)
            _reports.Add(value);
        onReport?.Invoke(value);
    }
}
