using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Hcr.MLNet.Telemetry;

namespace Hcr.MLNet.Tests.Telemetry;

/// <summary>One measurement of an Hcr.MLNet instrument, with its tags.</summary>
public sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    public object? Tag(string name) => Tags.GetValueOrDefault(name);
}

/// <summary>
/// Listens to the Hcr.MLNet meter and keeps only what this test's own flow records. Meters are
/// process-wide and xunit runs test classes in parallel, so another class's training would otherwise
/// show up here; the library records synchronously on the calling flow, so an async-local marker set by
/// the collector tells the measurements apart.
/// </summary>
public sealed class MetricsCollector : IDisposable
{
    private static readonly AsyncLocal<MetricsCollector?> Active = new();

    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<RecordedMeasurement> _measurements = new();

    public MetricsCollector()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == HcrTelemetry.MeterName)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
        Active.Value = this;
    }

    public IReadOnlyList<RecordedMeasurement> Measurements => _measurements.ToArray();

    public IReadOnlyList<RecordedMeasurement> Of(string instrument) => _measurements.Where(m => m.Instrument == instrument).ToArray();

    public void Dispose()
    {
        if (ReferenceEquals(Active.Value, this))
            Active.Value = null;
        _listener.Dispose();
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!ReferenceEquals(Active.Value, this))
            return;
        var copy = new Dictionary<string, object?>();
        foreach (KeyValuePair<string, object?> tag in tags)
            copy[tag.Key] = tag.Value;
        _measurements.Enqueue(new RecordedMeasurement(instrument.Name, value, copy));
    }
}
