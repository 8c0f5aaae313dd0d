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
/// <remarks>
/// <para>
/// Each call only records what it was told; <see cref="Train"/> builds the trainer options once, from
/// scratch, in this order, so the result does not depend on the order of the calls:
/// </para>
/// <list type="number">
/// <item>
/// a copy of the options given to <see cref="WithTrainerOptions(HandwritingCnnOptions)"/>, or the defaults; when
/// fine-tuning (<see cref="StartingFrom"/>), the base's architecture and the <see cref="FineTuningOptions"/> learning
/// rate, epochs and batch size over them, and no validation split;
/// </item>
/// <item>every callback given to <see cref="WithTrainerOptions(Action{HandwritingCnnOptions})"/>, in the order they were given;</item>
/// <item>
/// every explicit setter that was called (<see cref="WithArchitecture"/>, <see cref="WithEpochs"/>,
/// <see cref="WithBatchSize"/>, <see cref="OnDevice"/>, <see cref="ReportTo"/>, <see cref="WithLogger"/>,
/// <see cref="WithSeed"/>, <see cref="WithCancellation"/>), the last call of each winning.
/// </item>
/// </list>
/// <para>
/// So an explicit setter always wins over the bulk trainer options, called before or after them. A builder
/// trains once, like a logging configuration creates one logger: a second <see cref="Train"/> throws
/// <see cref="InvalidOperationException"/>, also after a first one that failed. Training again with the same callbacks would share whatever
/// they captured (a progress sink, a checkpoint folder that the second run would resume instead of
/// repeating); start a new builder with <c>HandwritingRecognizer.Create()</c> instead.
/// </para>
/// </remarks>
public sealed class HandwritingRecognizerBuilder
{
    private readonly List<Action<HandwritingCnnOptions>> _configure = [];
    private HandwritingCnnOptions? _baseOptions;
    private Func<(EmnistDataset Train, EmnistDataset? Test)>? _data;
    private CnnArchitecture? _architecture;
    private int? _epochs;
    private int? _batchSize;
    private ComputeDevice? _device;
    private IProgress<TrainingProgress>? _progress;
    private ILogger? _logger;
    private int? _seed;
    private CancellationToken? _cancellation;
    private InkNormalizationOptions? _preprocessing;
    private HandwritingRecognizer? _startFrom;
    private FineTuningOptions? _fineTuning;
    private bool _trained;

    internal HandwritingRecognizerBuilder()
    {
    }

    /// <summary>Trains on the train part of <paramref name="split"/> in <paramref name="directory"/> and evaluates on its test part when present.</summary>
    public HandwritingRecognizerBuilder WithData(string directory, EmnistSplit split = EmnistSplit.Balanced)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return WithData(new EmnistSelection(directory, split));
    }

    /// <summary>
    /// Trains on a stratified <c>1 - holdout</c> of one part and evaluates on the rest: with the ByMerge
    /// test part, a holdout of 0.1 and the default seed this is the "EMNIST-47 local" protocol.
    /// </summary>
    public HandwritingRecognizerBuilder WithData(string directory, EmnistSplit split, EmnistPart part, double holdout, int seed = EmnistSelection.DefaultSeed)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!(holdout > 0 && holdout < 1))
            throw new ArgumentOutOfRangeException(nameof(holdout), holdout, "The holdout must be between 0 and 1 (exclusive).");
        return WithData(new EmnistSelection(directory, split, part, holdout, seed));
    }

    /// <summary>
    /// Trains and evaluates on the images <paramref name="selection"/> names (loaded at <see cref="Train"/>); the
    /// recognizer records it as <see cref="HandwritingRecognizer.TrainingData"/> and saves it with itself.
    /// </summary>
    public HandwritingRecognizerBuilder WithData(EmnistSelection selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        _data = selection.Load;
        return this;
    }

    /// <summary>
    /// Trains on <paramref name="train"/> and evaluates on <paramref name="test"/> when given. When both come from one
    /// <see cref="EmnistSelection.Load"/>, the recognizer records that selection as with <see cref="WithData(EmnistSelection)"/>.
    /// </summary>
    public HandwritingRecognizerBuilder WithData(EmnistDataset train, EmnistDataset? test = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        _data = () => (train, test);
        return this;
    }

    /// <summary>The network design; wins over <see cref="HandwritingCnnOptions.Architecture"/> set through <c>WithTrainerOptions</c>.</summary>
    public HandwritingRecognizerBuilder WithArchitecture(CnnArchitecture architecture)
    {
        _architecture = architecture ?? throw new ArgumentNullException(nameof(architecture));
        return this;
    }

    /// <summary>Passes over the training data; wins over <see cref="HandwritingCnnOptions.Epochs"/> set through <c>WithTrainerOptions</c>.</summary>
    public HandwritingRecognizerBuilder WithEpochs(int epochs)
    {
        _epochs = epochs;
        return this;
    }

    /// <summary>Images per training step; wins over <see cref="HandwritingCnnOptions.BatchSize"/> set through <c>WithTrainerOptions</c>.</summary>
    public HandwritingRecognizerBuilder WithBatchSize(int batchSize)
    {
        _batchSize = batchSize;
        return this;
    }

    /// <summary>Where to train and predict; wins over <see cref="HandwritingCnnOptions.Device"/> set through <c>WithTrainerOptions</c>.</summary>
    public HandwritingRecognizerBuilder OnDevice(ComputeDevice device)
    {
        _device = device;
        return this;
    }

    /// <summary>Receives training progress; wins over <see cref="HandwritingCnnOptions.Progress"/> set through <c>WithTrainerOptions</c>.</summary>
    public HandwritingRecognizerBuilder ReportTo(IProgress<TrainingProgress> progress)
    {
        _progress = progress ?? throw new ArgumentNullException(nameof(progress));
        return this;
    }

    /// <summary>
    /// Logs the training run (start, one summary per epoch, checkpoints, early stopping, end) and, as the
    /// trained recognizer's <see cref="HandwritingRecognizer.Logger"/>, its evaluations and predictions.
    /// Wins over a <see cref="HandwritingCnnOptions.Logger"/> set through <c>WithTrainerOptions</c>, before or after.
    /// </summary>
    public HandwritingRecognizerBuilder WithLogger(ILogger logger)
    {
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        return this;
    }

    /// <summary>
    /// Seed of every random choice of the training and of its ML.NET context; wins over
    /// <see cref="HandwritingCnnOptions.Seed"/> set through <c>WithTrainerOptions</c>, before or after.
    /// </summary>
    public HandwritingRecognizerBuilder WithSeed(int seed)
    {
        _seed = seed;
        return this;
    }

    /// <summary>Stops training between batches; wins over <see cref="HandwritingCnnOptions.CancellationToken"/> set through <c>WithTrainerOptions</c>.</summary>
    public HandwritingRecognizerBuilder WithCancellation(CancellationToken cancellationToken)
    {
        _cancellation = cancellationToken;
        return this;
    }

    /// <summary>
    /// How images given to <c>Predict</c> are turned into EMNIST-style tiles (saved with the recognizer). Default: the
    /// defaults of <see cref="InkNormalizationOptions"/>, or when fine-tuning, the base recognizer's.
    /// </summary>
    public HandwritingRecognizerBuilder WithPreprocessing(InkNormalizationOptions preprocessing)
    {
        _preprocessing = preprocessing ?? throw new ArgumentNullException(nameof(preprocessing));
        return this;
    }

    /// <summary>
    /// Fine-tunes <paramref name="baseRecognizer"/> instead of training from scratch: the new network has the
    /// base's architecture and starts from a copy of its weights; the base is only read and stays as it was.
    /// The classes of the training data decide the new recognizer's classes. Classes the base knows keep their
    /// output rows (matched by character), so with the same classes (personalising a recognizer to one hand)
    /// everything starts trained; new classes (say the 62 case-sensitive classes from a 47-class base, or
    /// symbols EMNIST lacks) get a freshly initialised output row each, on top of the trained features.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The fine-tuning defaults replace the from-scratch ones, right after step 1 of the order documented on
    /// this class, so callbacks and explicit setters still win: learning rate
    /// <see cref="FineTuningOptions.LearningRate"/>, <see cref="FineTuningOptions.Epochs"/>,
    /// <see cref="FineTuningOptions.BatchSize"/>, and no validation split (<see cref="HandwritingCnnOptions.ValidationFraction"/> 0:
    /// own samples are too few to set a tenth aside; give test data to <c>WithData</c> to measure). The
    /// architecture is the base's; asking for another one with <see cref="WithArchitecture"/> is an error.
    /// The preprocessing is the base's unless <see cref="WithPreprocessing"/> says otherwise, so photos are
    /// read as the base read them; load your images with the same settings
    /// (<see cref="Data.LabeledImageFolderOptions.Preprocessing"/> = <see cref="HandwritingRecognizer.Preprocessing"/>).
    /// </para>
    /// <para>
    /// The base must be alive until <see cref="Train"/> returns (it is read then, not now), and must have its
    /// TorchSharp weights: trained, loaded from a <c>.hcr</c> file with <see cref="HandwritingRecognizer.Load"/>, or the
    /// pretrained recognizer (<see cref="HandwritingRecognizer.LoadPretrained(Onnx.OnnxScoringOptions?)"/>), which carries
    /// its weights beside its ONNX model and loads them, with libtorch, when training starts.
    /// </para>
    /// </remarks>
    /// <exception cref="NotSupportedException"><paramref name="baseRecognizer"/> was loaded from ONNX (it has no TorchSharp weights).</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="baseRecognizer"/> was disposed.</exception>
    public HandwritingRecognizerBuilder StartingFrom(HandwritingRecognizer baseRecognizer, FineTuningOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(baseRecognizer);
        baseRecognizer.CheckTrainable();
        _startFrom = baseRecognizer;
        _fineTuning = options ?? new FineTuningOptions();
        if (_fineTuning.Epochs < 1)
            throw new ArgumentOutOfRangeException(nameof(options), _fineTuning.Epochs, "FineTuningOptions.Epochs must be at least 1.");
        return this;
    }

    /// <summary>
    /// Starts from a copy of <paramref name="options"/> (a recipe such as <see cref="HandwritingCnnOptions.SeedRecipe"/>)
    /// instead of the defaults. The copy is taken now: later changes to <paramref name="options"/> do not count.
    /// Callbacks given to <see cref="WithTrainerOptions(Action{HandwritingCnnOptions})"/> and the explicit
    /// setters apply on top of it; a second call replaces the first.
    /// </summary>
    public HandwritingRecognizerBuilder WithTrainerOptions(HandwritingCnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _baseOptions = options.Clone();
        return this;
    }

    /// <summary>
    /// Any other trainer option (learning rate, schedule, augmentation, early stopping, checkpoints, …):
    /// <paramref name="configure"/> runs when <see cref="Train"/> builds the options, after the callbacks
    /// given before it and before the explicit setters, which win whatever the order of the calls.
    /// </summary>
    public HandwritingRecognizerBuilder WithTrainerOptions(Action<HandwritingCnnOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _configure.Add(configure);
        return this;
    }

    /// <summary>Checks the options, loads the data, trains, and evaluates on the test data when there is some.</summary>
    /// <exception cref="InvalidOperationException">No data was given, or this builder has trained already.</exception>
    /// <exception cref="Training.TrainingDivergedException">The run (training or fine-tuning) diverged: the learning rate is too high; nothing past the last good epoch's checkpoint was kept.</exception>
    /// <exception cref="ArgumentException">An option is out of range (checked before any data is loaded).</exception>
    public HandwritingRecognizer Train()
    {
        if (_trained)
            throw new InvalidOperationException("This builder has trained already; a builder trains once. Start another with HandwritingRecognizer.Create().");
        if (_data is null)
            throw new InvalidOperationException("No training data: call WithData first.");
        _trained = true;
        HandwritingCnnOptions options = BuildOptions();
        options.Validate();
        (EmnistDataset train, EmnistDataset? test) = _data();
        return HandwritingRecognizer.Train(train, test, options, options.Seed, _preprocessing ?? _startFrom?.Preprocessing ?? new InkNormalizationOptions(),
            SelectionOf(train, test));
    }

    /// <summary>The selection both datasets were loaded for, its training and its evaluation side; null for any other data.</summary>
    private static EmnistSelection? SelectionOf(EmnistDataset train, EmnistDataset? test) =>
        train.Origin is (EmnistSelection selection, false) && (test is null || test.Origin == (selection, true)) ? selection : null;

    /// <summary>The trainer options <see cref="Train"/> would use, built afresh in the documented order; changes nothing.</summary>
    internal HandwritingCnnOptions BuildOptions()
    {
        HandwritingCnnOptions options = _baseOptions?.Clone() ?? new HandwritingCnnOptions();
        var baseNetwork = (HandwritingCnnTransformer?)_startFrom?.RequireTrainableNetwork();
        if (baseNetwork is not null && _fineTuning is not null)
        {
            options.Architecture = baseNetwork.Architecture;
            options.LearningRate = _fineTuning.EffectiveLearningRate;
            options.Epochs = _fineTuning.Epochs;
            options.BatchSize = _fineTuning.BatchSize;
            options.ValidationFraction = 0;
        }
        foreach (Action<HandwritingCnnOptions> configure in _configure)
            configure(options);
        if (_architecture is not null)
            options.Architecture = _architecture;
        if (_epochs is int epochs)
            options.Epochs = epochs;
        if (_batchSize is int batchSize)
            options.BatchSize = batchSize;
        if (_device is ComputeDevice device)
            options.Device = device;
        if (_progress is not null)
            options.Progress = _progress;
        if (_logger is not null)
            options.Logger = _logger;
        if (_seed is int seed)
            options.Seed = seed;
        if (_cancellation is CancellationToken cancellation)
            options.CancellationToken = cancellation;
        if (baseNetwork is not null && _fineTuning is not null)
        {
            if (options.Architecture.Name != baseNetwork.Architecture.Name)
            {
                throw new ArgumentException(
                    $"Fine-tuning keeps the base network's architecture ({baseNetwork.Architecture.Name}); {options.Architecture.Name} was asked for.", nameof(options));
            }
            options.FineTuning = new FineTuningStart(baseNetwork, _fineTuning.FreezeFeatures);
        }
        return options;
    }
}
