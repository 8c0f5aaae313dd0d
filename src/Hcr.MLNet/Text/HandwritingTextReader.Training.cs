using Hcr.MLNet.IO;
using Hcr.MLNet.Native;
using Hcr.MLNet.Text;
using static TorchSharp.torch;

namespace Hcr.MLNet;

public sealed partial class HandwritingTextReader
{
    /// <summary>
    /// Trains a reader on <paramref name="train"/>, validating after each epoch on <paramref name="validation"/> (other
    /// writers) when given and keeping the epoch with the lowest validation character error rate. The alphabet is that of
    /// both sets' texts and <see cref="TextAlphabet.GermanNameCharacters"/>.
    /// </summary>
    /// <remarks>With <paramref name="synthetic"/>, word images composed from EMNIST characters join the training images.</remarks>
    /// <exception cref="IOException"><see cref="TextTrainingOptions.CheckpointDirectory"/> cannot be created or written (checked before anything else); the message names it.</exception>
    /// <exception cref="ModelFormatException">The checkpoint there is damaged, truncated or not a text reader's; the message names the file.</exception>
    /// <exception cref="InvalidDataException">That checkpoint was written by a run with other settings or on other images; the message says which.</exception>
    internal static HandwritingTextReader Train(WordImageSet train, WordImageSet? validation, TextTrainingOptions options, SyntheticWordSource? synthetic = null)
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
        (TextLineNetwork network, IReadOnlyList<TextEpochMetrics> history) = new TextTrainingLoop(options, alphabet, device, synthetic?.Words ?? 0)
            .Run([.. trainSamples.OfType<TextSample>(), .. composed], validationSamples?.OfType<TextSample>().ToArray());
        return new HandwritingTextReader(new TorchTextScorer(network, device), alphabet, options.MaxWidth, history) { SkippedImages = skipped };
    }
}
