using Hcr.MLNet.Data;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Hcr.MLNet.Synthesis;
using Hcr.MLNet.Training;
using Microsoft.Extensions.Logging;

namespace Hcr.MLNet;

/// <summary>
/// Fluent configuration of a training run: <c>HandwritingRecognizer.Create().WithData(…).WithEpochs(…).Train()</c>.
/// Anything not set keeps the defaults of <see cref="HandwritingCnnOptions"/>.
/// </summary>
/// <remarks>
/// <para>
/// The builder holds one <see cref="HandwritingCnnOptions"/>, and every call writes to it when it is made: each setting
/// has one store, so setting it twice (<see cref="WithEpochs"/>, or <c>Epochs</c> in a
/// <see cref="WithTrainerOptions(Action{HandwritingCnnOptions})"/> callback) keeps the last value, and there is no
/// precedence between ways of setting it. Two calls choose the starting values and so come before any other setting:
/// <see cref="WithTrainerOptions(HandwritingCnnOptions)"/> (a recipe) and <see cref="StartingFrom"/> (the fine-tuning
/// starting values); given after a setting, they throw <see cref="InvalidOperationException"/> rather than discard it.
/// </para>
/// <para>
/// A builder trains once, like a logging configuration creates one logger: a second <see cref="Train"/> throws
/// <see cref="InvalidOperationException"/>, also after a first one that failed. Training again with the same settings
/// would share whatever they hold (a progress sink, a checkpoint folder that the second run would resume instead of
/// repeating); start a new builder with <c>HandwritingRecognizer.Create()</c> instead.
/// </para>
/// </remarks>
public sealed class HandwritingRecognizerBuilder
{
    private HandwritingCnnOptions _options = new();
    private Func<(EmnistDataset Train, EmnistDataset? Test)>? _data;
    private bool _settingsRecorded;
    private bool _architectureChosen;
    private InkNormalizationOptions? _preprocessing;
    private HandwritingRecognizer? _startFrom;
    private FineTuningOptions? _fineTuning;
    private (string Folder, int PerClass)? _fonts;
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

    /// <summary>
    /// Adds <paramref name="perClass"/> characters of every class written in the handwriting fonts (.ttf, .otf) of
    /// <paramref name="fontFolder"/> and then photographed to the training images: each glyph varied (size, rotation,
    /// slant, stroke weight, an elastic warp), put on paper with a pen, lit unevenly, taken small, half of them saved
    /// as JPEGs, and normalised as <c>Predict</c> normalises a photo (<see cref="WithPreprocessing"/>). Each font is
    /// one more hand, and the tiles look like what photos become, which EMNIST's scans do not. A class holding both
    /// cases (C and c) gets both. They join the training images only: the test images stay as given, and the per-epoch
    /// validation, drawn from the training images, holds its share of them.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="perClass"/> is not positive.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist (checked now, before any data loads).</exception>
    public HandwritingRecognizerBuilder WithSyntheticFonts(string fontFolder, int perClass = DefaultFontCharactersPerClass)
    {
        ArgumentException.ThrowIfNullOrEmpty(fontFolder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perClass);
        if (!Directory.Exists(fontFolder))
            throw new DirectoryNotFoundException($"Font folder not found: {Path.GetFullPath(fontFolder)}");
        _fonts = (fontFolder, perClass);
        return this;
    }

    /// <summary>Characters per class <see cref="WithSyntheticFonts"/> adds unless told otherwise.</summary>
    public const int DefaultFontCharactersPerClass = 400;

    /// <summary>The network design (<see cref="HandwritingCnnOptions.Architecture"/>).</summary>
    public HandwritingRecognizerBuilder WithArchitecture(CnnArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        _architectureChosen = true;
        return Set(o => o.Architecture = architecture);
    }

    /// <summary>Passes over the training data (<see cref="HandwritingCnnOptions.Epochs"/>).</summary>
    public HandwritingRecognizerBuilder WithEpochs(int epochs) => Set(o => o.Epochs = epochs);

    /// <summary>Images per training step (<see cref="HandwritingCnnOptions.BatchSize"/>).</summary>
    public HandwritingRecognizerBuilder WithBatchSize(int batchSize) => Set(o => o.BatchSize = batchSize);

    /// <summary>Where to train and predict (<see cref="HandwritingCnnOptions.Device"/>).</summary>
    public HandwritingRecognizerBuilder OnDevice(ComputeDevice device) => Set(o => o.Device = device);

    /// <summary>Receives training progress (<see cref="HandwritingCnnOptions.Progress"/>).</summary>
    public HandwritingRecognizerBuilder ReportTo(IProgress<TrainingProgress> progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return Set(o => o.Progress = progress);
    }

    /// <summary>
    /// Logs the training run (start, one summary per epoch, checkpoints, early stopping, end) and, as the
    /// trained recognizer's <see cref="HandwritingRecognizer.Logger"/>, its evaluations and predictions
    /// (<see cref="HandwritingCnnOptions.Logger"/>).
    /// </summary>
    public HandwritingRecognizerBuilder WithLogger(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        return Set(o => o.Logger = logger);
    }

    /// <summary>Seed of every random choice of the training and of its ML.NET context (<see cref="HandwritingCnnOptions.Seed"/>).</summary>
    public HandwritingRecognizerBuilder WithSeed(int seed) => Set(o => o.Seed = seed);

    /// <summary>Stops training between batches (<see cref="HandwritingCnnOptions.CancellationToken"/>).</summary>
    public HandwritingRecognizerBuilder WithCancellation(CancellationToken cancellationToken) => Set(o => o.CancellationToken = cancellationToken);

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
    /// It writes the fine-tuning starting values to the builder's options, which later calls change like any other
    /// setting (so it comes first, and throws <see cref="InvalidOperationException"/> after a setting): 20 epochs,
    /// batch size 32 (small data still gives several steps per epoch), learning rate 3e-4 when every layer learns (a
    /// tenth of the from-scratch 3e-3, so that the pretrained features move little) or 3e-3 with
    /// <see cref="FineTuningOptions.FreezeFeatures"/> (a new class's row starts from random weights and nothing
    /// pretrained can be spoilt), and no validation split (<see cref="HandwritingCnnOptions.ValidationFraction"/> 0:
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
        RequireNothingSetYet(nameof(StartingFrom));
        _startFrom = baseRecognizer;
        _fineTuning = options ?? new FineTuningOptions();
        _options.Epochs = FineTuningOptions.DefaultEpochs;
        _options.BatchSize = FineTuningOptions.DefaultBatchSize;
        _options.LearningRate = _fineTuning.DefaultLearningRate;
        _options.ValidationFraction = 0;
        return this;
    }

    /// <summary>
    /// Starts from a copy of <paramref name="options"/> (a recipe such as <see cref="HandwritingCnnOptions.SeedRecipe"/>)
    /// instead of the defaults. The copy is taken now: later changes to <paramref name="options"/> do not count. It
    /// replaces everything the builder holds, so it comes before any other setting (after one, or after
    /// <see cref="StartingFrom"/>, it throws <see cref="InvalidOperationException"/>); a second call replaces the first.
    /// </summary>
    public HandwritingRecognizerBuilder WithTrainerOptions(HandwritingCnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RequireNothingSetYet(nameof(WithTrainerOptions));
        if (_startFrom is not null)
            throw new InvalidOperationException("WithTrainerOptions(options) would replace the fine-tuning starting values StartingFrom set: give the recipe first.");
        _options = options.Clone();
        return this;
    }

    /// <summary>
    /// Any other trainer option (learning rate, schedule, augmentation, early stopping, checkpoints, …):
    /// <paramref name="configure"/> runs now, on the options the builder holds, as every setter does; the last
    /// value given to a setting, by a setter or a callback, is the one trained with.
    /// </summary>
    public HandwritingRecognizerBuilder WithTrainerOptions(Action<HandwritingCnnOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return Set(configure);
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
        EmnistSelection? selection = SelectionOf(train, test);
        InkNormalizationOptions preprocessing = _preprocessing ?? _startFrom?.Preprocessing ?? new InkNormalizationOptions();
        if (_fonts is (string folder, int perClass))
        {
            using HandwritingFonts fonts = HandwritingFonts.Load(folder);
            train = train.Concat(FontCharacters.Render(fonts, train.Classes, perClass, preprocessing, options.Seed));
        }
        return HandwritingRecognizer.Train(train, test, options, options.Seed, preprocessing, selection);
    }

    /// <summary>The selection both datasets were loaded for, its training and its evaluation side; null for any other data.</summary>
    private static EmnistSelection? SelectionOf(EmnistDataset train, EmnistDataset? test) =>
        train.Origin is (EmnistSelection selection, false) && (test is null || test.Origin == (selection, true)) ? selection : null;

    /// <summary>The trainer options <see cref="Train"/> would use: a copy of what the builder holds, with the fine-tuning start; changes nothing.</summary>
    internal HandwritingCnnOptions BuildOptions()
    {
        HandwritingCnnOptions options = _options.Clone();
        var baseNetwork = (HandwritingCnnTransformer?)_startFrom?.RequireTrainableNetwork();
        if (baseNetwork is not null && _fineTuning is not null)
        {
            if (_architectureChosen && options.Architecture.Name != baseNetwork.Architecture.Name)
            {
                throw new ArgumentException(
                    $"Fine-tuning keeps the base network's architecture ({baseNetwork.Architecture.Name}); {options.Architecture.Name} was asked for.", nameof(options));
            }
            options.Architecture = baseNetwork.Architecture;
            options.FineTuning = new FineTuningStart(baseNetwork, _fineTuning.FreezeFeatures);
        }
        return options;
    }

    private HandwritingRecognizerBuilder Set(Action<HandwritingCnnOptions> set)
    {
        CnnArchitecture before = _options.Architecture;
        set(_options);
        _architectureChosen |= !ReferenceEquals(before, _options.Architecture);
        _settingsRecorded = true;
        return this;
    }

    private void RequireNothingSetYet(string call)
    {
        if (_settingsRecorded)
            throw new InvalidOperationException($"{call} chooses the starting values of every training setting, so it comes before the settings (WithEpochs, WithTrainerOptions(callback), …); it would discard those already given.");
    }
}
