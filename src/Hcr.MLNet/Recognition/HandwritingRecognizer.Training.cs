using Hcr.MLNet.Data;
using Hcr.MLNet.Training;
using Microsoft.ML;

namespace Hcr.MLNet;

public sealed partial class HandwritingRecognizer
{
    /// <summary>
    /// Where <see cref="Train(RecognizerTrainingOptions)"/> looks for (and downloads) EMNIST:
    /// <c>$HCR_MLNET_DATA</c> if set, else <c>&lt;local application data&gt;/hcr-mlnet/emnist</c>
    /// (<c>~/.local/share/hcr-mlnet/emnist</c> on Linux).
    /// </summary>
    public static string DefaultDataDirectory =>
        Environment.GetEnvironmentVariable("HCR_MLNET_DATA") is { Length: > 0 } overridden ? overridden
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "hcr-mlnet", "emnist");

    /// <summary>Starts a fluent training configuration.</summary>
    public static HandwritingRecognizerBuilder Create() => new();

    /// <summary>
    /// One call: finds the EMNIST split in the data folder (or downloads it from NIST), trains the
    /// default network on its train part, and evaluates on its test part (<see cref="TestEvaluation"/>).
    /// </summary>
    /// <exception cref="FileNotFoundException">The split is not in the folder and downloading is off.</exception>
    /// <exception cref="IOException">The split is not in the folder and downloading it failed (offline, server error, stalled).</exception>
    public static HandwritingRecognizer Train(RecognizerTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var selection = new EmnistSelection(options.DataDirectory ?? DefaultDataDirectory, options.Split);
        if (!options.Download)
        {
            if (selection.MissingFiles(forTraining: true) is [string missing, ..])
            {
                throw new FileNotFoundException(
                    $"EMNIST {options.Split.DisplayName()} is not in {selection.Directory} and downloading is off (RecognizerTrainingOptions.Download).",
                    Path.Combine(selection.Directory, missing));
            }
        }
        else
        {
            // On the thread pool, so that a caller's synchronization context cannot deadlock the wait.
            Task.Run(() => selection.DownloadIfMissingAsync(forTraining: true, options.DownloadOptions, options.DownloadProgress,
                    "Put the EMNIST files in a folder and pass it as RecognizerTrainingOptions.DataDirectory, or train with HandwritingRecognizer.Create().WithData(folder, split).",
                    options.CancellationToken))
                .GetAwaiter().GetResult();
        }

        HandwritingRecognizerBuilder builder = Create()
            .WithData(selection)
            .WithArchitecture(options.Architecture)
            .OnDevice(options.Device)
            .WithCancellation(options.CancellationToken);
        if (options.Epochs is int epochs)
            builder.WithEpochs(epochs);
        if (options.Progress is not null)
            builder.ReportTo(options.Progress);
        if (options.Logger is not null)
            builder.WithLogger(options.Logger);
        return builder.Train();
    }

    internal static HandwritingRecognizer Train(EmnistDataset train, EmnistDataset? test, HandwritingCnnOptions options, int seed,
        Imaging.InkNormalizationOptions preprocessing, EmnistSelection? selection)
    {
        var ml = new MLContext(seed);
        ITransformer labelMapping = RecognizerChain.FitLabelMapping(ml, train.Classes);
        ITransformer normalization = RecognizerChain.FitNormalization(ml);
        IDataView data = normalization.Transform(labelMapping.Transform(train.ToDataView(ml)));
        options.LabelColumnName = HcrColumns.Label;
        options.PixelsColumnName = HcrColumns.Pixels;
        HandwritingCnnTransformer network = ml.MulticlassClassification.Trainers.HandwritingCnn(options).Fit(data);
        var recognizer = new HandwritingRecognizer(ml, labelMapping, normalization, network, preprocessing)
        {
            Logger = options.Logger,
            TrainingData = selection,
        };
        if (test is not null)
            recognizer.TestEvaluation = recognizer.Evaluate(test);
        return recognizer;
    }
}
