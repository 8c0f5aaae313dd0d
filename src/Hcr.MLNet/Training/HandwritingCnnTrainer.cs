using Hcr.MLNet.IO;
using Hcr.MLNet.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;
using Hcr.MLNet.DataViews;
using static TorchSharp.torch;

namespace Hcr.MLNet.Training;

/// <summary>
/// Trains a convolutional network for handwritten characters, from scratch, with TorchSharp, as an
/// ML.NET estimator. Input: a key-typed label column (from <c>MapValueToKey</c>) and a column of 784
/// floats in 0..1 (one 28×28 grey image, ink bright). Output: a <see cref="HandwritingCnnTransformer"/>
/// adding <c>Score</c> and <c>PredictedLabel</c>, ready for <c>MulticlassClassification.Evaluate</c>,
/// <c>MapKeyToValue</c> and <c>PredictionEngine</c>. Progress goes to <see cref="HandwritingCnnOptions.Progress"/>
/// and to the ML.NET context's log.
/// </summary>
public sealed class HandwritingCnnTrainer : IEstimator<HandwritingCnnTransformer>
{
    // libtorch's default random generator and its CPU thread pool are process-wide: two runs at once
    // would draw from each other's random stream (losing reproducibility) and fight over the cores.
    private static readonly SemaphoreSlim OneRunAtATime = new(1, 1);

    private readonly IHostEnvironment _environment;
    private readonly HandwritingCnnOptions _options;

    /// <summary>Creates the trainer; <paramref name="options"/> are copied and checked.</summary>
    public HandwritingCnnTrainer(MLContext mlContext, HandwritingCnnOptions options)
        : this((IHostEnvironment)mlContext, options)
    {
    }

    internal HandwritingCnnTrainer(IHostEnvironment environment, HandwritingCnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        _environment = environment;
        _options = options.Clone();
        _options.Validate();
    }

    /// <summary>A copy of the options this trainer uses.</summary>
    public HandwritingCnnOptions Options => _options.Clone();

    /// <summary>
    /// Trains on <paramref name="input"/> and returns the fitted transformer. Runs in one process
    /// train one at a time (libtorch's random generator and thread pool are process-wide).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type; the message names it.</exception>
    /// <exception cref="InvalidDataException">A value cannot be trained on (NaN pixels, a missing label, a class without images); the message names it.</exception>
    /// <exception cref="InvalidOperationException">The data has no rows.</exception>
    /// <exception cref="OperationCanceledException">The options' cancellation token was cancelled.</exception>
    /// <exception cref="TrainingDivergedException">The run diverged: a loss NaN, infinite or exploding, or weights or outputs NaN or infinite at an epoch's end (the learning rate is too high); the message names the epoch and batch.</exception>
    /// <exception cref="IOException"><see cref="HandwritingCnnOptions.CheckpointDirectory"/> cannot be created or written (checked before training); the message names it.</exception>
    /// <exception cref="IO.ModelFormatException">The checkpoint in <see cref="HandwritingCnnOptions.CheckpointDirectory"/> is damaged or of an older version.</exception>
    /// <exception cref="InvalidDataException">That checkpoint was written by a run with other settings or on other data.</exception>
    public HandwritingCnnTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        HandwritingCnnOptions o = _options;
        // Now, not after the first epoch: a folder that cannot take the checkpoint should cost seconds, not an epoch's work.
        if (o.CheckpointDirectory is not null)
            AtomicFile.CheckWritable(Path.Combine(o.CheckpointDirectory, TrainingCheckpoint.FileName));
        using IChannel log = _environment.Start(nameof(HandwritingCnnTrainer));
        TorchRuntimeStatus runtime = TorchRuntime.EnsureInitialized();
        log.Info(MessageSensitivity.None, $"TorchSharp runtime: {runtime}");
        ILogger logger = o.Logger ?? NullLogger.Instance;
        TrainingLog.Runtime(logger, runtime);
        Device device = TorchRuntime.ResolveDevice(o.Device);

        LabeledImages train = LabeledImages.Read(input, o.LabelColumnName, o.PixelsColumnName, "training", o.CancellationToken);
        train.RequireEveryClass(o.LabelColumnName);
        LabeledImages? validation = null;
        if (o.ValidationSet is not null)
        {
            validation = LabeledImages.Read(o.ValidationSet, o.LabelColumnName, o.PixelsColumnName, "validation", o.CancellationToken);
            if (validation.ClassCount != train.ClassCount)
            {
                throw new ArgumentOutOfRangeException(nameof(input),
                    $"Label column '{o.LabelColumnName}' has {validation.ClassCount} classes in the validation set but {train.ClassCount} in the training data; " +
                    "map both with the same MapValueToKey transformer.");
            }
        }

        OneRunAtATime.Wait(o.CancellationToken);
        try
        {
            TorchRuntime.SetThreads(o.Threads);
            return Train(o, train, validation, device, log, logger);
        }
        finally
        {
            OneRunAtATime.Release();
        }
    }

    private static HandwritingCnnTransformer Train(HandwritingCnnOptions o, LabeledImages train, LabeledImages? validation, Device device, IChannel log, ILogger logger)
    {
        ImageTensors trainTensors = ImageTensors.Create(train.Pixels, train.Labels, train.ClassCount, device);
        ImageTensors? validationTensors = validation is null ? null
            : ImageTensors.Create(validation.Pixels, validation.Labels, validation.ClassCount, device);
        try
        {
            if (validationTensors is null && o.ValidationFraction > 0)
            {
                ImageTensors all = trainTensors;
                (trainTensors, validationTensors) = all.SplitStratified(o.ValidationFraction, o.Seed);
                all.Dispose();
            }
            log.Info(MessageSensitivity.None,
                $"Training {o.Architecture.Name} on {trainTensors.Count} images of {train.ClassCount} classes" +
                $"{(validationTensors is null ? "" : $", validating on {validationTensors.Count}")}, {o.Epochs} epochs, batch {o.BatchSize}, on {device.type}.");
            TrainingLog.Started(logger, o.Architecture.Name, trainTensors.Count, train.ClassCount, validationTensors?.Count ?? 0, o.Epochs,
                o.BatchSize, o.Optimizer, o.LearningRate, o.LearningRateSchedule, o.WeightDecay, o.LabelSmoothing, o.Augmentation, o.Sampling,
                device.type);
            TrainingResult result = new TrainingLoop(o, train.ClassCount, device, log, logger, train.ClassNames).Run(trainTensors, validationTensors);
            return new HandwritingCnnTransformer(result.Network, o.Architecture, train.ClassNames, o.PixelsColumnName, result.History, device, o.TestTimeRotations);
        }
        finally
        {
            trainTensors.Dispose();
            validationTensors?.Dispose();
        }
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        string label = _options.LabelColumnName, pixels = _options.PixelsColumnName;
        if (!TryFind(inputSchema, label, out SchemaShape.Column labelColumn))
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The input has no label column '{label}'.");
        if (!labelColumn.IsKey)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Label column '{label}' must have a key type (make it with MapValueToKey), but it is {labelColumn.ItemType}.");
        if (!TryFind(inputSchema, pixels, out SchemaShape.Column pixelsColumn))
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The input has no pixels column '{pixels}'.");
        if (pixelsColumn.Kind != SchemaShape.Column.VectorKind.Vector || pixelsColumn.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Pixels column '{pixels}' must be a known-size vector of Single, but it is {pixelsColumn.ItemType} ({pixelsColumn.Kind}).");

        // SchemaShape columns have no public constructor; ML.NET's own estimators make the same shapes:
        // a known-size float vector for Score and a copy of the label's key type (with its key values)
        // for PredictedLabel.
        var ml = new MLContext();
        return ml.Transforms.Concatenate(HcrColumns.Score, pixels)
            .Append(ml.Transforms.CopyColumns(HcrColumns.PredictedLabel, label))
            .GetOutputSchema(inputSchema);
    }

    private static bool TryFind(SchemaShape shape, string name, out SchemaShape.Column column)
    {
        // The last column of a name is the visible one; earlier ones are hidden.
        column = shape.LastOrDefault(c => c.Name == name);
        return column.Name == name;
    }
}
