using Microsoft.Extensions.Logging;
using Hcr.MLNet.Data;
using Hcr.MLNet.Native;
using Hcr.MLNet.Text;

namespace Hcr.MLNet;

/// <summary>
/// Fluent configuration of a text-reader training run:
/// <c>HandwritingTextReader.Create().WithWordImages("dhsd").HoldOutWriters(0.2).WithEpochs(30).Train()</c>.
/// Anything not set keeps the defaults of <see cref="TextTrainingOptions"/>.
/// </summary>
/// <remarks>
/// As with <see cref="HandwritingRecognizerBuilder"/>, the builder holds one <see cref="TextTrainingOptions"/> that every
/// setter and every <see cref="WithTrainerOptions(Action{TextTrainingOptions})"/> callback writes to when called: a
/// setting given twice keeps the last value. The validation images likewise have one store:
/// <see cref="HoldOutWriters(double, int)"/> and <see cref="WithValidation"/> replace each other. <see cref="StartingFrom"/>
/// writes the adaptation's starting values, so it comes before the settings. A builder trains once; a second
/// <see cref="Train"/> throws <see cref="InvalidOperationException"/>.
/// </remarks>
public sealed class HandwritingTextReaderBuilder
{
    private readonly TextTrainingOptions _options = new();
    private bool _settingsRecorded;
    private bool _epochsSet;
    private Func<WordImageSet>? _images;
    private Func<WordImageSet, (WordImageSet Train, WordImageSet? Validation)> _split = set => (set, null);
    private int? _limit;
    private Func<EmnistDataset>? _syntheticCharacters;
    private int _syntheticWords;
    private FontWordSource? _fonts;
    private HandwritingTextReader? _start;
    private TextAdaptationOptions? _adaptation;
    private bool _trained;

    internal HandwritingTextReaderBuilder()
    {
    }

    /// <summary>Trains on the word images listed in a CSV file (<c>file_name,text,writer_id</c>) or a folder holding <c>data.csv</c>.</summary>
    public HandwritingTextReaderBuilder WithWordImages(string csvOrFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(csvOrFolder);
        _images = () => WordImageSet.Load(csvOrFolder);
        return this;
    }

    /// <summary>Trains on <paramref name="images"/>.</summary>
    public HandwritingTextReaderBuilder WithWordImages(WordImageSet images)
    {
        ArgumentNullException.ThrowIfNull(images);
        _images = () => images;
        return this;
    }

    /// <summary>
    /// Holds out about <paramref name="fraction"/> of the writers (drawn with <paramref name="seed"/>) with all their images,
    /// to validate on after each epoch; the reader keeps the epoch that reads them best. Replaces an earlier
    /// <see cref="WithValidation"/> or hold-out.
    /// </summary>
    public HandwritingTextReaderBuilder HoldOutWriters(double fraction, int seed = 2024)
    {
        if (!(fraction > 0 && fraction < 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The fraction of writers held out must be between 0 and 1 (exclusive).");
        _split = set => set.SplitByWriter(fraction, seed);
        return this;
    }

    /// <summary>Holds out the named writers, with all their images, to validate on; replaces an earlier <see cref="WithValidation"/> or hold-out.</summary>
    public HandwritingTextReaderBuilder HoldOutWriters(IEnumerable<string> writers)
    {
        string[] named = writers?.ToArray() ?? throw new ArgumentNullException(nameof(writers));
        _split = set => set.SplitByWriter(named);
        return this;
    }

    /// <summary>Validates on <paramref name="validation"/> (images by writers not among the training images'); replaces an earlier hold-out.</summary>
    public HandwritingTextReaderBuilder WithValidation(WordImageSet validation)
    {
        ArgumentNullException.ThrowIfNull(validation);
        _split = set => (set, validation);
        return this;
    }

    /// <summary>Trains on at most <paramref name="images"/> training images, drawn evenly from every writer: for quick runs.</summary>
    public HandwritingTextReaderBuilder LimitTrainingImages(int images)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(images, 2);
        _limit = images;
        return this;
    }

    /// <summary>
    /// Adds <paramref name="words"/> word images composed from single EMNIST characters (<paramref name="characters"/>: a
    /// case-sensitive split, ByClass) to the training images: texts of the training set and new combinations of its
    /// words, each character by another EMNIST writer, with varied size, spacing, baseline, slant, pen and paper. More
    /// hands than the word images alone; they never enter validation.
    /// </summary>
    public HandwritingTextReaderBuilder WithSyntheticEmnist(EmnistDataset characters, int words = DefaultSyntheticWords)
    {
        ArgumentNullException.ThrowIfNull(characters);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(words);
        _syntheticCharacters = () => characters;
        _syntheticWords = words;
        return this;
    }

    /// <summary>
    /// As <see cref="WithSyntheticEmnist(EmnistDataset, int)"/>, with EMNIST ByClass from <paramref name="emnistDirectory"/>
    /// (its official file names): the training part when it is there, else the test part.
    /// </summary>
    public HandwritingTextReaderBuilder WithSyntheticEmnist(string emnistDirectory, int words = DefaultSyntheticWords)
    {
        ArgumentException.ThrowIfNullOrEmpty(emnistDirectory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(words);
        _syntheticCharacters = () => LoadByClass(emnistDirectory);
        _syntheticWords = words;
        return this;
    }

    /// <summary>
    /// Adds <paramref name="words"/> word and line images written in the handwriting fonts (.ttf, .otf) of
    /// <paramref name="fontFolder"/> to the training images: texts of the training set and new combinations of its words,
    /// each glyph varied in size, rotation and baseline, each text in slant, slope, stroke weight, an elastic warp, blur,
    /// pen and paper. Each font is one more writer; unlike EMNIST's characters, fonts write accents, ß and punctuation.
    /// They never enter validation.
    /// </summary>
    public HandwritingTextReaderBuilder WithSyntheticFonts(string fontFolder, int words = DefaultSyntheticWords)
    {
        ArgumentException.ThrowIfNullOrEmpty(fontFolder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(words);
        _fonts = new FontWordSource(fontFolder, words);
        return this;
    }

    /// <summary>Synthetic words <see cref="WithSyntheticEmnist(EmnistDataset, int)"/> composes unless told otherwise.</summary>
    public const int DefaultSyntheticWords = 2000;

    private static EmnistDataset LoadByClass(string directory)
    {
        try
        {
            return EmnistDataset.Load(directory, EmnistSplit.ByClass, EmnistPart.Train);
        }
        catch (FileNotFoundException)
        {
            return EmnistDataset.Load(directory, EmnistSplit.ByClass, EmnistPart.Test);
        }
    }

    /// <summary>
    /// Adapts <paramref name="reader"/> instead of training from scratch: its weights, alphabet and widest strip are the
    /// start, and a short run (<paramref name="options"/>) on the word images (<see cref="WithWordImages(WordImageSet)"/>)
    /// moves it towards them: a handful of one person's labelled words teach it that person's hand in a short run. The
    /// reader is not changed or disposed; the result is a new reader. Without validation images the last step's weights
    /// are kept. It writes the adaptation's starting values to the builder's options, which the setters called after it
    /// change (so it comes first, and throws <see cref="InvalidOperationException"/> after a setting): learning rate 5e-4
    /// (<see cref="WithLearningRate"/>), batch size 16 (<see cref="WithBatchSize"/>, fewer when fewer images are given). The
    /// run's length is <see cref="TextAdaptationOptions.Steps"/>: <see cref="WithEpochs"/> is an error when adapting.
    /// </summary>
    /// <remarks>
    /// A reader scored by ONNX Runtime has no trainable weights: the pretrained one is adapted from its TorchSharp weights
    /// (shipped beside it); one loaded with <see cref="HandwritingTextReader.LoadOnnx"/> cannot be, since its file holds
    /// none. Texts must be written in the reader's alphabet.
    /// </remarks>
    public HandwritingTextReaderBuilder StartingFrom(HandwritingTextReader reader, TextAdaptationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= new TextAdaptationOptions();
        options.Validate();
        if (_settingsRecorded)
            throw new InvalidOperationException("StartingFrom sets the adaptation's learning rate and batch size, so it comes before the settings (WithLearningRate, WithTrainerOptions, …); it would overwrite those already given.");
        _start = reader;
        _adaptation = options;
        _options.LearningRate = TextAdaptationOptions.DefaultLearningRate;
        _options.BatchSize = TextAdaptationOptions.DefaultBatchSize;
        return this;
    }

    /// <summary>The sequence model over the line (<see cref="TextTrainingOptions.SequenceModel"/>).</summary>
    public HandwritingTextReaderBuilder WithSequenceModel(TextSequenceModel model) => Set(o => o.SequenceModel = model);

    /// <summary>The network's channels at every stage (<see cref="TextTrainingOptions.NetworkSize"/>).</summary>
    public HandwritingTextReaderBuilder WithNetworkSize(TextNetworkSize size) => Set(o => o.NetworkSize = size);

    /// <summary>Passes over the training images.</summary>
    public HandwritingTextReaderBuilder WithEpochs(int epochs) => Set(o => o.Epochs = epochs);

    /// <summary>Images per optimizer step.</summary>
    public HandwritingTextReaderBuilder WithBatchSize(int batchSize) => Set(o => o.BatchSize = batchSize);

    /// <summary>Peak learning rate.</summary>
    public HandwritingTextReaderBuilder WithLearningRate(double learningRate) => Set(o => o.LearningRate = learningRate);

    /// <summary>Seeds the weights, batch order and augmentation (not the writer hold-out, which has its own seed).</summary>
    public HandwritingTextReaderBuilder WithSeed(int seed) => Set(o => o.Seed = seed);

    /// <summary>Where the network trains.</summary>
    public HandwritingTextReaderBuilder OnDevice(ComputeDevice device) => Set(o => o.Device = device);

    /// <summary>Receives progress a few times a second and after each epoch.</summary>
    public HandwritingTextReaderBuilder ReportTo(IProgress<TextTrainingProgress> progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return Set(o => o.Progress = progress);
    }

    /// <summary>
    /// Writes a checkpoint to <paramref name="directory"/> after every epoch; training again with the same folder, settings
    /// and images (after a crash, say) resumes after the last finished epoch (<see cref="TextTrainingOptions.CheckpointDirectory"/>).
    /// </summary>
    public HandwritingTextReaderBuilder WithCheckpoints(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return Set(o => o.CheckpointDirectory = directory);
    }

    /// <summary>
    /// Logs the training run (start, one summary per epoch, checkpoints, the end) and, as the trained reader's
    /// <see cref="HandwritingTextReader.Logger"/>, its reads and evaluations (<see cref="TextTrainingOptions.Logger"/>).
    /// </summary>
    public HandwritingTextReaderBuilder WithLogger(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        return Set(o => o.Logger = logger);
    }

    /// <summary>Stops training between batches.</summary>
    public HandwritingTextReaderBuilder WithCancellation(CancellationToken cancellation) => Set(o => o.CancellationToken = cancellation);

    /// <summary>Changes any training option: <paramref name="configure"/> runs now on the options the builder holds, as every setter does.</summary>
    public HandwritingTextReaderBuilder WithTrainerOptions(Action<TextTrainingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return Set(configure);
    }

    /// <summary>Loads the images, splits them by writer if asked, and trains.</summary>
    /// <exception cref="InvalidOperationException">No word images were given, or this builder has trained already.</exception>
    /// <exception cref="Training.TrainingDivergedException">The run diverged (the learning rate is too high); nothing past the last good epoch's checkpoint was kept.</exception>
    public HandwritingTextReader Train()
    {
        if (_trained)
            throw new InvalidOperationException("This builder has trained already; start a new one with HandwritingTextReader.Create().");
        if (_images is null)
            throw new InvalidOperationException("No training images: call WithWordImages first.");
        if (_start is not null && _epochsSet)
            throw new InvalidOperationException("Adapting a reader runs TextAdaptationOptions.Steps optimizer steps; set those instead of the epochs.");
        _trained = true;
        TextTrainingOptions options = BuildOptions();
        (WordImageSet train, WordImageSet? validation) = _split(_images());
        if (_limit is int limit)
            train = train.Subset(limit, options.Seed);
        SyntheticWordSource? synthetic = _syntheticCharacters is null ? null : new SyntheticWordSource(_syntheticCharacters(), _syntheticWords);
        if (_start is not null)
            return HandwritingTextReader.Adapt(_start, _adaptation!, train, validation, options, synthetic);
        return HandwritingTextReader.Train(train, validation, options, synthetic, _fonts);
    }

    /// <summary>The training options <see cref="Train"/> would use: a copy of what the builder holds; changes nothing.</summary>
    internal TextTrainingOptions BuildOptions() => _options.Clone();

    private HandwritingTextReaderBuilder Set(Action<TextTrainingOptions> set)
    {
        int epochs = _options.Epochs;
        set(_options);
        _epochsSet |= _options.Epochs != epochs;
        _settingsRecorded = true;
        return this;
    }
}
