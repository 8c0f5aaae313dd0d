using Hcr.MLNet.IO;
using Hcr.MLNet.Native;
using Hcr.MLNet.Scoring;
using Hcr.MLNet.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet;

/// <summary>
/// What the training assembly adds to <see cref="HandwritingTextReader"/>, with the spellings it always had (C# 14 extension
/// members): <c>HandwritingTextReader.Create()…Train()</c> and <c>HandwritingTextReader.LoadPretrained(ComputeDevice)</c>.
/// </summary>
public static class TextReaderTraining
{
    extension(HandwritingTextReader)
    {
        /// <summary>Starts the fluent configuration of a training run.</summary>
        public static HandwritingTextReaderBuilder Create() => new();

        /// <summary>
        /// The pretrained reader of <see cref="HandwritingTextReader.LoadPretrained(Onnx.OnnxScoringOptions?)"/> with its TorchSharp
        /// network instead of ONNX Runtime (to read on a GPU, to see its training <see cref="HandwritingTextReader.History"/>, or to
        /// <see cref="HandwritingTextReader.Save"/> it). Loads libtorch. It reads with the same <see cref="HandwritingTextReader.DefaultReadOptions"/>.
        /// </summary>
        /// <param name="device">Where the network runs.</param>
        public static HandwritingTextReader LoadPretrained(ComputeDevice device)
        {
            using Stream stream = PretrainedModel.Open(PretrainedModel.TextReaderResource, typeof(TextReaderTraining).Assembly);
            HandwritingTextReader reader = HandwritingTextReader.LoadStream(stream,
                PretrainedModel.Source(PretrainedModel.TextReaderResource, typeof(TextReaderTraining).Assembly), device);
            reader.DefaultReadOptions = HandwritingTextReader.PretrainedReadOptions;
            return reader;
        }

        /// <summary>
        /// Trains a reader on <paramref name="train"/>, validating after each epoch on <paramref name="validation"/> (other
        /// writers) when given and keeping the epoch with the lowest validation character error rate. The alphabet is that of
        /// both sets' texts and <see cref="TextAlphabet.GermanNameCharacters"/>.
        /// </summary>
        /// <remarks>With <paramref name="synthetic"/>, word images composed from EMNIST characters join the training images.</remarks>
        /// <exception cref="IOException"><see cref="TextTrainingOptions.CheckpointDirectory"/> cannot be created or written (checked before anything else); the message names it.</exception>
        /// <exception cref="ModelFormatException">The checkpoint there is damaged, truncated or not a text reader's; the message names the file.</exception>
        /// <exception cref="InvalidDataException">That checkpoint was written by a run with other settings or on other images; the message says which.</exception>
        internal static HandwritingTextReader Train(WordImageSet train, WordImageSet? validation, TextTrainingOptions options, SyntheticWordSource? synthetic = null,
            FontWordSource? fonts = null)
        {
            options.Validate();
            // Now, not after the first epoch: a folder that cannot take the checkpoint should cost seconds, not an epoch's work.
            if (options.CheckpointDirectory is not null)
                AtomicFile.CheckWritable(Path.Combine(options.CheckpointDirectory, TextTrainingCheckpoint.FileName));
            TorchRuntime.EnsureInitialized();
            Device device = TorchRuntime.ResolveDevice(options.Device);
            if (options.Threads is not null)
                TorchRuntime.SetThreads(options.Threads);
            var alphabet = TextAlphabet.FromTexts(train.Images.Concat(validation?.Images ?? []).Select(i => i.Text));
            var loader = new Imaging.CharacterImageLoader();
            TextSample?[] trainSamples = TextSamples.Prepare(train, alphabet, options.MaxWidth, loader, options.SkipUnusableImages);
            TextSample?[]? validationSamples = validation is null ? null : TextSamples.Prepare(validation, alphabet, options.MaxWidth, loader, options.SkipUnusableImages);
            string[] skipped = train.Images.Where((_, i) => trainSamples[i] is null)
                .Concat(validation?.Images.Where((_, i) => validationSamples![i] is null) ?? []).Select(i => i.Path).ToArray();
            TextSample[] composed = synthetic is null ? [] : new SyntheticWords(synthetic.Characters)
                .Samples(train.Images.Select(i => i.Text), synthetic.Words, alphabet, options.MaxWidth, options.Seed);
            TextSample[] written = FontSamples(fonts, train, alphabet, options);
            (TextLineNetwork network, IReadOnlyList<TextEpochMetrics> history) = new TextTrainingLoop(options, alphabet, device, (synthetic?.Words ?? 0) + (fonts?.Words ?? 0))
                .Run([.. trainSamples.OfType<TextSample>(), .. composed, .. written], validationSamples?.OfType<TextSample>().ToArray());
            return new HandwritingTextReader(new TorchTextScorer(network, device), alphabet, options.MaxWidth, history)
            {
                SkippedImages = skipped,
                Logger = options.Logger,
            };
        }

        /// <summary>
        /// A new reader: <paramref name="start"/>'s network trained further on <paramref name="train"/> for
        /// <paramref name="adaptation"/>'s steps, with <paramref name="start"/>'s alphabet and widest strip.
        /// </summary>
        /// <exception cref="ArgumentException">A text holds a character outside the reader's alphabet; the message names it and the image.</exception>
        /// <exception cref="NotSupportedException"><paramref name="start"/> was loaded from an ONNX file and has no trainable weights.</exception>
        internal static HandwritingTextReader Adapt(HandwritingTextReader start, TextAdaptationOptions adaptation, WordImageSet train,
            WordImageSet? validation, TextTrainingOptions options, SyntheticWordSource? synthetic)
        {
            ObjectDisposedException.ThrowIf(start.IsDisposed, start);
            TextAlphabet alphabet = start.Alphabet;
            foreach (WordImage image in train.Images.Concat(validation?.Images ?? []))
            {
                if (image.Text.FirstOrDefault(ch => !alphabet.Contains(ch)) is var c and not '\0')
                {
                    throw new ArgumentException(
                        $"{image.Path}: its text '{image.Text}' holds '{c}' (U+{(int)c:X4}), which the reader being adapted does not write; adapting keeps the reader's alphabet, so train a new reader to add characters.",
                        nameof(train));
                }
            }
            options.Validate();
            TorchRuntime.EnsureInitialized();
            Device device = TorchRuntime.ResolveDevice(options.Device);
            if (options.Threads is not null)
                TorchRuntime.SetThreads(options.Threads);
            var loader = new Imaging.CharacterImageLoader();
            TextSample[] samples = TextSamples.Prepare(train, alphabet, start.MaxWidth, loader, options.SkipUnusableImages).OfType<TextSample>().ToArray();
            if (samples.Length < 1)
                throw new ArgumentException($"{train.Source}: no usable image to adapt to.", nameof(train));
            TextSample[]? validationSamples = validation is null ? null
                : TextSamples.Prepare(validation, alphabet, start.MaxWidth, loader, options.SkipUnusableImages).OfType<TextSample>().ToArray();
            TextSample[] composed = synthetic is null ? [] : new SyntheticWords(synthetic.Characters)
                .Samples(train.Images.Select(i => i.Text), synthetic.Words, alphabet, start.MaxWidth, options.Seed);
            // The loop counts in epochs; with a handful of images an epoch is one step, so the images are repeated until an
            // epoch holds a useful number of steps, and the steps asked for decide the epochs.
            TextSample[] pool = [.. samples, .. composed];
            int batch = Math.Max(2, Math.Min(options.BatchSize, pool.Length));
            int perEpoch = Math.Max(1, (int)Math.Ceiling(pool.Length / (double)batch));
            const int StepsPerEpoch = 10;
            int repeat = Math.Max(1, (int)Math.Ceiling(StepsPerEpoch / (double)perEpoch));
            TextSample[] repeated = Enumerable.Repeat(pool, repeat).SelectMany(p => p).ToArray();
            int stepsPerEpoch = (int)Math.Ceiling(repeated.Length / (double)batch);
            options.BatchSize = batch;
            options.Epochs = Math.Max(1, (int)Math.Ceiling(adaptation.Steps / (double)stepsPerEpoch));
            options.MaxWidth = start.MaxWidth;
            // The loop trains this copy in place (and disposes it if the run fails).
            (TextLineNetwork network, IReadOnlyList<TextEpochMetrics> history) = new TextTrainingLoop(options, alphabet, device, synthetic?.Words ?? 0)
            {
                Start = TrainableNetwork(start, device),
                FreezeBatchNorm = adaptation.FreezeBatchNorm,
            }.Run(repeated, validationSamples);
            // An adapted reader reads as the reader it started from did (the pretrained reader's language model included).
            return new HandwritingTextReader(new TorchTextScorer(network, device), alphabet, start.MaxWidth, history)
            {
                DefaultReadOptions = start.DefaultReadOptions,
                Logger = options.Logger ?? start.Logger,
            };
        }

    }

    /// <summary>Texts of the training images written in the fonts of <paramref name="fonts"/> (none without it).</summary>
    private static TextSample[] FontSamples(FontWordSource? fonts, WordImageSet train, TextAlphabet alphabet, TextTrainingOptions options)
    {
        if (fonts is null)
            return [];
        using FontWords writer = FontWords.Load(fonts.Folder);
        // Another seed than the EMNIST composer's, so that the two do not draw the same texts in the same order.
        return writer.Samples(train.Images.Select(i => i.Text), fonts.Words, alphabet, options.MaxWidth, unchecked(options.Seed * 31 + 7));
    }

    /// <summary>A copy of the network's weights to train from: the TorchSharp network's, or for the pretrained reader on ONNX Runtime, its shipped TorchSharp weights.</summary>
    private static TextLineNetwork TrainableNetwork(HandwritingTextReader reader, Device device)
    {
        // Dispose of the reader waits for the copy (not for the training after it).
        using UsageGate.Lease lease = reader.Use();
        if (reader.Scorer is TorchTextScorer torchScorer)
            return torchScorer.WithNetwork(n => Copy(n, device));
        if (reader.IsPretrained)
        {
            using HandwritingTextReader shipped = HandwritingTextReader.LoadPretrained(ComputeDevice.Cpu);
            return TrainableNetwork(shipped, device);
        }
        throw new NotSupportedException(
            "This reader was loaded from an ONNX file, which holds no trainable weights; adapt the .hcrtext file it was exported from (HandwritingTextReader.Load).");
    }

    private static TextLineNetwork Copy(TextLineNetwork network, Device device)
    {
        var copy = new TextLineNetwork(network.SequenceModel, network.Size, network.ClassCount);
        copy.to(device);
        using (torch.no_grad())
        {
            var source = network.state_dict();
            foreach ((string name, Tensor target) in copy.state_dict())
                target.copy_(source[name]);
        }
        return copy;
    }
}
