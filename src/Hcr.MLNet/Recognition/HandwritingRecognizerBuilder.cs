using Hcr.MLNet.Data;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.Models;
using Hcr.MLNet.Native;
using Hcr.MLNet.Training;
using Microsoft.Extensions.Logging;

namespace Hcr.MLNet;

/// <summary>
/// Fluent configuration of a training run: <c>HandwritingRecognizer.Create().WithData(…).WithEpochs(…).Train()</c>.
/// Anything not set keeps the defaults of <see cref="HandwritingCnnOptions"/>.
/// </summary>
public sealed class HandwritingRecognizerBuilder
{
    private readonly HandwritingCnnOptions _options = new();
    private Func<(EmnistDataset Train, EmnistDataset? Test)>? _data;
    private int _mlSeed = 1;
    private InkNormalizationOptions _preprocessing = new();
    private ILogger? _logger;

    internal HandwritingRecognizerBuilder()
    {
    }

    /// <summary>Trains on the train part of <paramref name="split"/> in <paramref name="directory"/> and evaluates on its test part when present.</summary>
    public HandwritingRecognizerBuilder WithData(string directory, EmnistSplit split = EmnistSplit.Balanced)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _data = () =>
        {
            EmnistDataset train = EmnistDataset.Load(directory, split, EmnistPart.Train);
            EmnistDataset? test = null;
            try
            {
                test = EmnistDataset.Load(directory, split, EmnistPart.Test);
            }
            catch (FileNotFoundException)
            {
                // No test part: train without a final evaluation.
            }
            return (train, test);
        };
        return this;
    }

    /// <summary>
    /// Trains on a stratified <c>1 - holdout</c> of one part and evaluates on the rest: with the ByMerge
    /// test part, a holdout of 0.1 and seed 2024 this is the "EMNIST-47 local" protocol.
    /// </summary>
    public HandwritingRecognizerBuilder WithData(string directory, EmnistSplit split, EmnistPart part, double holdout, int seed = 2024)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!(holdout > 0 && holdout < 1))
            throw new ArgumentOutOfRangeException(nameof(holdout), holdout, "The holdout must be between 0 and 1 (exclusive).");
        _data = () =>
        {
            (EmnistDataset train, EmnistDataset test) = EmnistDataset.Load(directory, split, part).Split(1 - holdout, seed);
            return (train, test);
        };
        return this;
    }

    /// <summary>Trains on <paramref name="train"/> and evaluates on <paramref name="test"/> when given.</summary>
    public HandwritingRecognizerBuilder WithData(EmnistDataset train, EmnistDataset? test = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        _data = () => (train, test);
        return this;
    }

    /// <summary>The network design.</summary>
    public HandwritingRecognizerBuilder WithArchitecture(CnnArchitecture architecture)
    {
        _options.Architecture = architecture ?? throw new ArgumentNullException(nameof(architecture));
        return this;
    }

    /// <summary>Passes over the training data.</summary>
    public HandwritingRecognizerBuilder WithEpochs(int epochs)
    {
        _options.Epochs = epochs;
        return this;
    }

    /// <summary>Images per training step.</summary>
    public HandwritingRecognizerBuilder WithBatchSize(int batchSize)
    {
        _options.BatchSize = batchSize;
        return this;
    }

    /// <summary>Where to train and predict.</summary>
    public HandwritingRecognizerBuilder OnDevice(ComputeDevice device)
    {
        _options.Device = device;
        return this;
    }

    /// <summary>Receives training progress.</summary>
    public HandwritingRecognizerBuilder ReportTo(IProgress<TrainingProgress> progress)
    {
        _options.Progress = progress;
        return this;
    }

    /// <summary>
    /// Logs the training run (start, one summary per epoch, checkpoints, early stopping, end) and, as the
    /// trained recognizer's <see cref="HandwritingRecognizer.Logger"/>, its evaluations and predictions.
    /// Kept apart from the trainer options: it is applied when <see cref="Train"/> runs, so it wins over
    /// a <see cref="HandwritingCnnOptions.Logger"/> set through <see cref="WithTrainerOptions"/>, before or after.
    /// </summary>
    public HandwritingRecognizerBuilder WithLogger(ILogger logger)
    {
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        return this;
    }

    /// <summary>Seed of every random choice.</summary>
    public HandwritingRecognizerBuilder WithSeed(int seed)
    {
        _options.Seed = seed;
        _mlSeed = seed;
        return this;
    }

    /// <summary>Stops training between batches.</summary>
    public HandwritingRecognizerBuilder WithCancellation(CancellationToken cancellationToken)
    {
        _options.CancellationToken = cancellationToken;
        return this;
    }

    /// <summary>How images given to <c>Predict</c> are turned into EMNIST-style tiles (saved with the recognizer).</summary>
    public HandwritingRecognizerBuilder WithPreprocessing(InkNormalizationOptions preprocessing)
    {
        _preprocessing = preprocessing ?? throw new ArgumentNullException(nameof(preprocessing));
        return this;
    }

    /// <summary>Any other trainer option (learning rate, schedule, augmentation, early stopping, checkpoints, …).</summary>
    public HandwritingRecognizerBuilder WithTrainerOptions(Action<HandwritingCnnOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(_options);
        return this;
    }

    /// <summary>Loads the data, trains, and evaluates on the test data when there is some.</summary>
    /// <exception cref="InvalidOperationException">No data was given.</exception>
    public HandwritingRecognizer Train()
    {
        if (_data is null)
            throw new InvalidOperationException("No training data: call WithData first.");
        (EmnistDataset train, EmnistDataset? test) = _data();
        HandwritingCnnOptions options = _options.Clone();
        options.Logger = _logger ?? options.Logger;
        return HandwritingRecognizer.Train(train, test, options, _mlSeed, _preprocessing);
    }
}
