namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>An IProgress that calls back on the reporting thread, in order (Progress&lt;T&gt; posts asynchronously).</summary>
public sealed class SynchronousProgress<T>(Action<T>? onReport = null) : IProgress<T>
{
    private readonly List<T> _reports = [];

    public IReadOnlyList<T> Reports
    {
        get
        {
            lock (_reports)
                return _reports.ToList();
        }
    }

    public void Report(T value)
    {
        lock (_reports)
            _reports.Add(value);
        onReport?.Invoke(value);
    }
}
