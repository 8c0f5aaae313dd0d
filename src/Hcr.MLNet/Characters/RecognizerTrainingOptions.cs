using Hcr.MLNet.Data;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Hcr.MLNet.Training;
using Microsoft.Extensions.Logging;

namespace Hcr.MLNet;

/// <summary>Options of the one-call <c>HandwritingRecognizer.Train(RecognizerTrainingOptions)</c>.</summary>
public sealed class RecognizerTrainingOptions
{
    /// <summary>Where the EMNIST files are or go. Default: null, meaning <c>HandwritingRecognizer.DefaultDataDirectory</c>.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>The EMNIST split to train on (its train part) and evaluate on (its test part). Default: <see cref="EmnistSplit.Balanced"/>.</summary>
    public EmnistSplit Split { get; set; } = EmnistSplit.Balanced;

    /// <summary>Download the split from NIST when it is not in <see cref="DataDirectory"/>. Default: true.</summary>
    public bool Download { get; set; } = true;

    /// <summary>The network. Default: <see cref="CnnArchitecture.Standard"/>.</summary>
    public CnnArchitecture Architecture { get; set; } = CnnArchitecture.Standard;

    /// <summary>Passes over the training data; null keeps the trainer's default. Default: null.</summary>
    public int? Epochs { get; set; }

    /// <summary>Where to train. Default: <see cref="ComputeDevice.Auto"/>.</summary>
    public ComputeDevice Device { get; set; } = ComputeDevice.Auto;

    /// <summary>Training progress. Default: null.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Logs the training run and, as <see cref="HandwritingRecognizer.Logger"/>, the trained recognizer's work. Default: null.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>
    /// How to download (a mirror's archive URI, your own <see cref="HttpClient"/>, …); null downloads NIST's archive
    /// with the default settings of <see cref="EmnistDownloadOptions"/>. Default: null.
    /// </summary>
    public EmnistDownloadOptions? DownloadOptions { get; set; }

    /// <summary>Download progress. Default: null.</summary>
    public IProgress<DownloadProgress>? DownloadProgress { get; set; }

    /// <summary>Cancels the download or the training. Default: none.</summary>
    public CancellationToken CancellationToken { get; set; }
}
