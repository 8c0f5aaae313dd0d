using Microsoft.Extensions.Logging;

namespace Hcr.MLNet.Telemetry;

/// <summary>
/// What a text reader logs while it reads words and lines (event ids 2xx; the recognizer's are 1xx, training's below 100).
/// Per-read messages are Debug: the generated methods check <see cref="ILogger.IsEnabled"/> first.
/// </summary>
internal static partial class TextReaderLog
{
    [LoggerMessage(EventId = 201, Level = LogLevel.Debug,
        Message = "Read {Source} as {Lines} lines, {Characters} characters, in {DurationMilliseconds:F2} ms ({Scorer})")]
    public static partial void Read(ILogger logger, string source, int lines, int characters, double durationMilliseconds, string scorer);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information,
        Message = "Evaluated {Images} images of {Source}: character error rate {CharacterErrorRate:P2}, word error rate {WordErrorRate:P2}, " +
            "exact readings {TextAccuracy:P2}, in {DurationSeconds:F1} s ({Scorer})")]
    public static partial void Evaluated(ILogger logger, int images, string source, double characterErrorRate, double wordErrorRate, double textAccuracy,
        double durationSeconds, string scorer);
}
