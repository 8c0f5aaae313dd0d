using Microsoft.Extensions.Logging;

namespace Hcr.MLNet.Telemetry;

/// <summary>
/// What a recognizer logs while it reads characters. Per-call messages are Debug: the generated methods
/// check <see cref="ILogger.IsEnabled"/> first, so an operator at Information pays for a level check only.
/// </summary>
internal static partial class RecognizerLog
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Debug,
        Message = "Read {Source} as '{Character}' ({Confidence:P1}) in {DurationMilliseconds:F2} ms ({Scorer})")]
    public static partial void Predicted(ILogger logger, string source, char character, float confidence, double durationMilliseconds, string scorer);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Read a batch of {Images} images in {DurationMilliseconds:F2} ms ({Scorer})")]
    public static partial void BatchPredicted(ILogger logger, int images, double durationMilliseconds, string scorer);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information,
        Message = "Evaluated {Images} images of {Source}: accuracy {Accuracy:P2}, macro accuracy {MacroAccuracy:P2}, log-loss {LogLoss:F4}, in {DurationSeconds:F1} s ({Scorer})")]
    public static partial void Evaluated(ILogger logger, int images, string source, double accuracy, double macroAccuracy, double logLoss,
        double durationSeconds, string scorer);
}
