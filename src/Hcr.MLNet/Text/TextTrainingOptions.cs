using Microsoft.Extensions.Logging;
using Hcr.MLNet.Native;

namespace Hcr.MLNet.Text;

/// <summary>Settings of a text-reader training run (<see cref="HandwritingTextReaderBuilder"/> sets them).</summary>
public sealed class TextTrainingOptions
{
    /// <summary>Passes over the training images.</summary>
    public int Epochs { get; set; } = 30;

    /// <summary>Images per optimizer step.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Peak learning rate of AdamW's one-cycle schedule.</summary>
    public double LearningRate { get; set; } = 2e-3;

    /// <summary>AdamW's decoupled weight decay.</summary>
    public double WeightDecay { get; set; } = 1e-4;

    /// <summary>Seeds the weights, the batch order and the augmentation.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>
    /// The sequence model over the line's width: 1-D convolutions by default, the measured choice (docs/reading-text.md and
    /// docs/history.md, "Text reader": on DHSD's held-out writers the BiLSTM stays longer in CTC's all-blank phase and ends short runs at twice the error).
    /// </summary>
    public TextSequenceModel SequenceModel { get; set; } = TextSequenceModel.Convolution;

    /// <summary>The network's channels at every stage: <see cref="TextNetworkSize.Standard"/> by default.</summary>
    public TextNetworkSize NetworkSize { get; set; } = TextNetworkSize.Standard;

    /// <summary>
    /// The widest strip in pixels (at <see cref="TextStrip.Height"/> high): wider lines are squeezed to it.
    /// 1024 holds a line of about 60 characters.
    /// </summary>
    public int MaxWidth { get; set; } = 1024;

    /// <summary>
    /// Random warps (width, shear, height) and pen and image changes (ink level, stroke width, blur, noise) of every
    /// training image, so that the network learns handwriting rather than the few hands it sees. It pays off over many
    /// epochs; a run of a few epochs learns faster without it.
    /// </summary>
    public bool Augment { get; set; } = true;

    /// <summary>
    /// Leaves out training and validation images that cannot be used (no ink found, undecodable) instead of failing the run;
    /// the reader lists them in <see cref="HandwritingTextReader.SkippedImages"/>. Real data sets hold a few (DHSD does).
    /// </summary>
    public bool SkipUnusableImages { get; set; } = true;

    /// <summary>Where the network trains.</summary>
    public ComputeDevice Device { get; set; } = ComputeDevice.Auto;

    /// <summary>libtorch's threads; null for one per core.</summary>
    public int? Threads { get; set; }

    /// <summary>
    /// Folder for a checkpoint written after every epoch (<c>text-checkpoint.hcrckpt</c>); a later run with the same folder,
    /// settings and images resumes after the last finished epoch and ends with the weights the uninterrupted run would
    /// have (bit for bit on the CPU with the same <see cref="Threads"/>). A checkpoint of other settings or other images
    /// is refused. Null (the default) for none.
    /// </summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>
    /// Receives the run's start (images, classes, settings, device), one summary per epoch, checkpoints, cancellation and
    /// the end, as structured log entries; nothing per batch. As <see cref="HandwritingTextReaderBuilder.WithLogger"/>
    /// sets it, it also becomes the trained reader's <see cref="HandwritingTextReader.Logger"/>. Null (the default): no logging.
    /// </summary>
    public ILogger? Logger { get; set; }

    /// <summary>Receives progress during training; null for none.</summary>
    public IProgress<TextTrainingProgress>? Progress { get; set; }

    /// <summary>Stops training (with <see cref="OperationCanceledException"/>) between batches.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>A copy, so that a builder's callbacks never change options the caller keeps.</summary>
    public TextTrainingOptions Clone() => (TextTrainingOptions)MemberwiseClone();

    internal void Validate()
    {
        if (Epochs <= 0)
            throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be positive.");
        if (BatchSize < 2)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "The batch size must be at least 2 (batch norm).");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be positive and finite.");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay))
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "The weight decay must be zero or positive and finite.");
        if (MaxWidth < TextStrip.Height || MaxWidth > LineNormalizer.MaxAnalysisSide)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxWidth), MaxWidth,
                $"The widest strip must be {TextStrip.Height} to {LineNormalizer.MaxAnalysisSide} pixels.");
        }
        if (!Enum.IsDefined(SequenceModel))
            throw new ArgumentOutOfRangeException(nameof(SequenceModel), SequenceModel, "Unknown sequence model.");
        if (!Enum.IsDefined(NetworkSize))
            throw new ArgumentOutOfRangeException(nameof(NetworkSize), NetworkSize, "Unknown network size.");
    }
}
