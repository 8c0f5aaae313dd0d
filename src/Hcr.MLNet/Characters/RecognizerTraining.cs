using Hcr.MLNet.Data;
using Hcr.MLNet.Native;
using Hcr.MLNet.Training;
using Microsoft.ML;
using Hcr.MLNet.DataViews;

namespace Hcr.MLNet;

/// <summary>
/// What the training assembly adds to <see cref="HandwritingRecognizer"/>, with the spellings it always had (C# 14 extension
/// members): <c>HandwritingRecognizer.Train(options)</c>, <c>HandwritingRecognizer.Create()…Train()</c>,
/// <c>HandwritingRecognizer.LoadPretrained(ComputeDevice)</c>, and a recognizer's TorchSharp <c>Network</c> and <c>History</c>.
/// </summary>
public static class RecognizerTraining
{
    extension(HandwritingRecognizer self)
    {
        /// <summary>
        /// The TorchSharp network that scores (architecture, per-epoch history, …); null for a recognizer that scores on
        /// ONNX Runtime alone: one loaded with <see cref="HandwritingRecognizer.LoadOnnx"/>, or the pretrained one of
        /// <see cref="HandwritingRecognizer.LoadPretrained(Onnx.OnnxScoringOptions?)"/> (<c>LoadPretrained(ComputeDevice)</c> gives it with its network).
        /// </summary>
        public HandwritingCnnTransformer? Network => self.TorchNetwork as HandwritingCnnTransformer;

        /// <summary>Per-epoch training history; empty for a recognizer loaded from ONNX.</summary>
        public IReadOnlyList<EpochMetrics> History => (self.TorchNetwork as HandwritingCnnTransformer)?.History ?? [];

        /// <summary>
        /// The pretrained recognizer of <see cref="HandwritingRecognizer.LoadPretrained(Onnx.OnnxScoringOptions?)"/> scored by its
        /// TorchSharp network instead of ONNX Runtime (on a GPU, say, or to read its <c>Network</c> and training history): what
        /// <see cref="HandwritingRecognizer.Load(string, ComputeDevice)"/> gives for its recognizer file. Loads libtorch.
        /// </summary>
        /// <param name="device">Where the network runs.</param>
        public static HandwritingRecognizer LoadPretrained(ComputeDevice device)
        {
            using Stream stream = PretrainedModel.Open(PretrainedModel.RecognizerResource);
            return HandwritingRecognizer.LoadStream(stream, PretrainedModel.Source(PretrainedModel.RecognizerResource), device);
        }

        /// <summary>
        /// Where <c>HandwritingRecognizer.Train(options)</c> looks for (and downloads) EMNIST:
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
        /// default network on its train part, and evaluates on its test part (<see cref="HandwritingRecognizer.TestEvaluation"/>).
        /// </summary>
        /// <exception cref="FileNotFoundException">The split is not in the folder and downloading is off.</exception>
        /// <exception cref="IOException">The split is not in the folder and downloading it failed (offline, server error, stalled).</exception>
        public static HandwritingRecognizer Train(RecognizerTrainingOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            var selection = new EmnistSelection(options.DataDirectory ?? HandwritingRecognizer.DefaultDataDirectory, options.Split);
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
}
