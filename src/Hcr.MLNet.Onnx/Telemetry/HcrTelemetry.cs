namespace Hcr.MLNet.Telemetry;

/// <summary>
/// Where the library's metrics can be collected. Training and prediction record to one
/// <see cref="System.Diagnostics.Metrics.Meter"/> named <see cref="MeterName"/>: subscribe with
/// OpenTelemetry's <c>.AddMeter(HcrTelemetry.MeterName)</c>, a <see cref="System.Diagnostics.Metrics.MeterListener"/>
/// or <c>dotnet-counters monitor --counters Hcr.MLNet</c>. The instruments are listed in
/// docs/logging-and-metrics.md. Logs go to the <c>ILogger</c> given in
/// <c>HandwritingCnnOptions.Logger</c>, <c>HandwritingRecognizerBuilder.WithLogger</c> or
/// <see cref="HandwritingRecognizer.Logger"/>, and <see cref="HandwritingTextReader.Logger"/> for a text reader; without one the library logs nothing.
/// </summary>
public static class HcrTelemetry
{
    /// <summary>The name of the library's meter: <c>"Hcr.MLNet"</c>.</summary>
    public const string MeterName = "Hcr.MLNet";
}
