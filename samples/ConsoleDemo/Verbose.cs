using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics.Metrics;
using System.Globalization;
using Hcr.MLNet;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Hcr.MLNet.Telemetry;

namespace ConsoleDemo;

/// <summary>
/// <c>--verbose</c>: the library's log entries (Debug and up) as they arrive, and on dispose a summary of
/// what its meter recorded, one line per instrument and tag set. An application would hand both to its own pipeline instead
/// (AddMeter(HcrTelemetry.MeterName) in OpenTelemetry, its logger factory's ILogger).
/// </summary>
internal sealed class Verbose : IDisposable
{
    public static readonly Option<bool> Option = new("--verbose", "-v")
    {
        Description = "Show the library's log (Debug and up) and, at the end, a summary of its metrics (meter Hcr.MLNet)",
    };

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string? Unit, string Tags), Summary> _series = new();

    private Verbose()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == HcrTelemetry.MeterName)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public ILogger Logger { get; } = new SpectreLogger();

    /// <summary>Starts listening when <c>--verbose</c> was given; null otherwise.</summary>
    public static Verbose? Start(ParseResult parse) => parse.GetValue(Option) ? new Verbose() : null;

    public void Dispose()
    {
        _listener.Dispose();
        if (_series.IsEmpty)
            return;
        // Lines rather than a table: they stay readable in a narrow terminal.
        AnsiConsole.MarkupLine($"[bold]Metrics[/] (meter {HcrTelemetry.MeterName})");
        foreach (var ((name, unit, tags), s) in _series.OrderBy(p => p.Key.Name, StringComparer.Ordinal).ThenBy(p => p.Key.Tags, StringComparer.Ordinal))
        {
            string values;
            lock (s)
            {
                values = s.Kind switch
                {
                    Kind.Counter => $"total {Format(s.Sum)}",
                    Kind.Histogram => $"{s.Count} measurements, mean {Format(s.Sum / s.Count)}, min {Format(s.Min)}, max {Format(s.Max)}",
                    _ => $"last {Format(s.Last)} ({s.Count} measurements)",
                };
            }
            // Unit "1" (a ratio) says nothing to a reader; other units do.
            string shownUnit = unit is null or "1" ? "" : " " + unit;
            AnsiConsole.MarkupLine($"  [blue]{Markup.Escape(name)}[/]{Markup.Escape(shownUnit)} [grey]{Markup.Escape($"[{tags}]")}[/]: {Markup.Escape(values)}");
        }
    }

    private static string Format(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var text = new List<string>(tags.Length);
        foreach (KeyValuePair<string, object?> tag in tags)
            text.Add($"{tag.Key.Replace("hcr.", "", StringComparison.Ordinal)}={tag.Value}");
        text.Sort(StringComparer.Ordinal); // the same tags in another order are the same series
        Summary s = _series.GetOrAdd((instrument.Name, instrument.Unit, string.Join(' ', text)), _ => new Summary
        {
            Kind = instrument switch
            {
                Counter<long> or Counter<double> => Kind.Counter,
                Histogram<long> or Histogram<double> => Kind.Histogram,
                _ => Kind.Gauge,
            },
        });
        lock (s)
        {
            s.Count++;
            s.Sum += value;
            s.Min = s.Count == 1 ? value : Math.Min(s.Min, value);
            s.Max = s.Count == 1 ? value : Math.Max(s.Max, value);
            s.Last = value;
        }
    }

    private enum Kind
    {
        Counter,
        Histogram,
        Gauge,
    }

    private sealed class Summary
    {
        public Kind Kind { get; init; }
        public long Count;
        public double Sum, Min, Max, Last;
    }

    /// <summary>One line per entry through Spectre.Console, which keeps a live progress display below the lines.</summary>
    private sealed class SpectreLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel is >= LogLevel.Debug and < LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
                return;
            string level = logLevel switch
            {
                LogLevel.Debug => "[grey]dbug[/]",
                LogLevel.Information => "[blue]info[/]",
                LogLevel.Warning => "[yellow]warn[/]",
                _ => "[red]fail[/]",
            };
            AnsiConsole.MarkupLine($"{level} [grey]{Markup.Escape(eventId.Name ?? "")}[/] {Markup.Escape(formatter(state, exception))}");
        }
    }
}
