using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Hcr.MLNet.Tests.Telemetry;

/// <summary>A log entry as a logger received it: level, event, rendered text and structured values.</summary>
public sealed record LogEntry(LogLevel Level, EventId EventId, string Message, IReadOnlyDictionary<string, object?> Values)
{
    public T Value<T>(string name) => Values.TryGetValue(name, out object? value) && value is T typed
        ? typed
        : throw new Xunit.Sdk.XunitException($"Entry {EventId.Name} has no {typeof(T).Name} value '{name}': {Message}");
}

/// <summary>An <see cref="ILogger"/> that keeps what it is given, and counts calls it did not ask for.</summary>
public sealed class ListLogger(LogLevel minimum) : ILogger
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private int _callsWhileDisabled;

    public IReadOnlyList<LogEntry> Entries => _entries.ToArray();

    /// <summary>Log calls below <c>minimum</c>: work a caller did although <see cref="IsEnabled"/> said no.</summary>
    public int CallsWhileDisabled => _callsWhileDisabled;

    public IReadOnlyList<LogEntry> Named(string eventName) => _entries.Where(e => e.EventId.Name == eventName).ToArray();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            Interlocked.Increment(ref _callsWhileDisabled);
            return;
        }
        var values = new Dictionary<string, object?>();
        if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (KeyValuePair<string, object?> pair in pairs)
                values[pair.Key] = pair.Value;
        }
        _entries.Enqueue(new LogEntry(logLevel, eventId, formatter(state, exception), values));
    }
}
