using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Hcr.MLNet.DataViews;

namespace Hcr.MLNet.Training;

/// <summary>
/// Options of the handwriting CNN trainer. The defaults are the Standard recipe, chosen by
/// measurement on EMNIST (see docs/accuracy.md, "Training recipes"): 90.72% macro accuracy (89.83% accuracy) on the
/// EMNIST-47 local protocol, trained in 24 to 31 minutes on two CPU cores, depending on the hour. <see cref="SeedRecipe"/> gives the original notebook's settings.
/// </summary>
public sealed class HandwritingCnnOptions
{
    /// <summary>The most angles <see cref="TestTimeRotations"/> may hold: each costs a pass of the network per image.</summary>
    public const int MaxTestTimeRotations = 8;

    /// <summary>The largest angle in degrees, either way, that <see cref="TestTimeRotations"/> may hold.</summary>
    public const double MaxTestTimeAngle = 30;

    /// <summary>The key-typed label column (made by <c>MapValueToKey</c>). Default: <c>"Label"</c>.</summary>
    public string LabelColumnName { get; set; } = HcrColumns.Label;

    /// <summary>The column of 784 floats in 0..1, one 28×28 grey image per row, row-major. Default: <c>"Pixels"</c>.</summary>
    public string PixelsColumnName { get; set; } = HcrColumns.Pixels;

    /// <summary>The network design. Default: <see cref="CnnArchitecture.Standard"/>.</summary>
    public CnnArchitecture Architecture { get; set; } = CnnArchitecture.Standard;

    /// <summary>Passes over the training data. Default: 12.</summary>
    public int Epochs { get; set; } = 12;

    /// <summary>Images per training step. Default: 128.</summary>
    public int BatchSize { get; set; } = 128;

    /// <summary>Peak learning rate (the rate itself for <see cref="LearningRateSchedule.Constant"/>). Default: 0.003.</summary>
    public double LearningRate { get; set; } = 0.003;

    /// <summary>The optimizer. Default: <see cref="OptimizerKind.AdamW"/>.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.AdamW;

    /// <summary>How the learning rate changes over the run. Default: <see cref="LearningRateSchedule.OneCycle"/>.</summary>
    public LearningRateSchedule LearningRateSchedule { get; set; } = LearningRateSchedule.OneCycle;

    /// <summary>
    /// Weight decay (decoupled for AdamW, L2 for Adam and SGD). Default: 0.1, for the default AdamW,
    /// which multiplies it by the learning rate (on the EMNIST-47 local protocol it measured better than 0.05 and 0.0005).
    /// </summary>
    public double WeightDecay { get; set; } = 0.1;

    /// <summary>Label smoothing of the cross-entropy target, 0 to 1. Default: 0.1.</summary>
    public double LabelSmoothing { get; set; } = 0.1;

    /// <summary>
    /// Random distortion of training batches. Default: <see cref="AugmentationLevel.Light"/>, which
    /// measured better than <see cref="AugmentationLevel.Strong"/> on the EMNIST-47 local protocol's
    /// held-out images; photos get their stroke width normalised at prediction time instead.
    /// </summary>
    public AugmentationLevel Augmentation { get; set; } = AugmentationLevel.Light;

    /// <summary>
    /// Decay per optimizer step of an exponential moving average of the weights (and batch-norm
    /// statistics) that is validated and returned instead of the last weights; 0 returns the last
    /// weights. With 0.999 the average spans about the last thousand steps. Default: 0.
    /// </summary>
    public double WeightAverageDecay { get; set; }

    /// <summary>
    /// Test-time augmentation: angles in degrees (anticlockwise positive) by which the fitted transformer
    /// also turns each image before scoring it; the class probabilities of the upright image and of these
    /// views are averaged (in TorchSharp and in the exported ONNX graph alike, and in the per-epoch
    /// validation). Each view costs one more pass of the network per image. Empty scores the upright image
    /// only. Default: −5° and +5° (on the EMNIST-47 local protocol's validation hold-out, about 0.3 points
    /// of accuracy and of macro accuracy over the upright image alone, and more than ±3°, ±7° or ±10°).
    /// </summary>
    public IReadOnlyList<double> TestTimeRotations { get; set; } = [-5.0, 5.0];

    /// <summary>How epochs draw images from unbalanced data. Default: <see cref="ClassSampling.Balanced"/>.</summary>
    public ClassSampling Sampling { get; set; } = ClassSampling.Balanced;

    /// <summary>
    /// Images to validate on after every epoch, with the same columns as the training data. Default:
    /// null, in which case <see cref="ValidationFraction"/> of the training data is held out instead.
    /// </summary>
    public IDataView? ValidationSet { get; set; }

    /// <summary>
    /// Fraction of the training data held out (stratified by class) for per-epoch validation when no
    /// <see cref="ValidationSet"/> is given; 0 trains on everything and skips validation. Default: 0.1.
    /// </summary>
    public double ValidationFraction { get; set; } = 0.1;

    /// <summary>Stop after this many epochs without improvement of <see cref="EarlyStoppingMetric"/>; null never stops early. Default: null.</summary>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>What early stopping watches. Default: <see cref="EarlyStoppingMetric.ValidationLoss"/>.</summary>
    public EarlyStoppingMetric EarlyStoppingMetric { get; set; } = EarlyStoppingMetric.ValidationLoss;

    /// <summary>With early stopping, return the weights of the best epoch rather than the last. Default: true.</summary>
    public bool RestoreBestWeights { get; set; } = true;

    /// <summary>Seed of every random choice (initial weights, order, augmentation, dropout, hold-out). Default: 1.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Where to train. Default: <see cref="ComputeDevice.Auto"/> (CUDA when available).</summary>
    public ComputeDevice Device { get; set; } = ComputeDevice.Auto;

    /// <summary>
    /// CPU threads for libtorch; null uses every core. Default: null. With 1 (on the CPU) the same seed
    /// gives bit-identical weights, as long as nothing else in the process draws from libtorch's
    /// process-wide random generator during the run.
    /// </summary>
    public int? Threads { get; set; }

    /// <summary>
    /// Folder for a checkpoint written after every epoch; a later <c>Fit</c> with the same folder and
    /// settings resumes after the last finished epoch. Default: null (no checkpoints).
    /// </summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Receives progress several times per epoch. Default: null.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>
    /// Receives the run's start (data size, classes, recipe), one summary per epoch, checkpoints, early
    /// stopping and the end, as structured log entries; the ML.NET context's log gets its own messages
    /// as before. Nothing is logged per batch. Default: null (no logging).
    /// </summary>
    public ILogger? Logger { get; set; }

    /// <summary>Stops training between batches; <c>Fit</c> then throws <see cref="OperationCanceledException"/>. Default: none.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>
    /// The seed notebook's recipe: the <see cref="CnnArchitecture.Seed"/> network, 20 epochs, batch 512,
    /// Adam at 0.001, constant rate, no weight decay, no label smoothing, no augmentation, natural sampling,
    /// and each image scored alone (no test-time rotations).
    /// </summary>
    public static HandwritingCnnOptions SeedRecipe() => new()
    {
        Architecture = CnnArchitecture.Seed,
        Epochs = 20,
        BatchSize = 512,
        LearningRate = 0.001,
        Optimizer = OptimizerKind.Adam,
        LearningRateSchedule = LearningRateSchedule.Constant,
        WeightDecay = 0,
        LabelSmoothing = 0,
        Augmentation = AugmentationLevel.None,
        Sampling = ClassSampling.Natural,
        TestTimeRotations = [],
    };

    /// <summary>
    /// Set by <see cref="HandwritingRecognizerBuilder.StartingFrom"/>: the network to copy weights from before
    /// the first step, and whether its feature layers stay frozen. Not public: fine-tuning has one documented way.
    /// </summary>
    internal FineTuningStart? FineTuning { get; set; }

    /// <summary>A copy, for callers that adjust options without changing the original.</summary>
    public HandwritingCnnOptions Clone()
    {
        var copy = (HandwritingCnnOptions)MemberwiseClone();
        copy.TestTimeRotations = TestTimeRotations?.ToArray()!;
        return copy;
    }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(LabelColumnName);
        ArgumentException.ThrowIfNullOrEmpty(PixelsColumnName);
        ArgumentNullException.ThrowIfNull(Architecture);
        if (Epochs < 1)
            throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "At least one epoch is needed.");
        if (BatchSize < 2)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "The batch size must be at least 2 (batch norm needs two images).");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be positive.");
        if (!(WeightDecay >= 0))
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "Weight decay cannot be negative.");
        if (!(LabelSmoothing >= 0 && LabelSmoothing < 1))
            throw new ArgumentOutOfRangeException(nameof(LabelSmoothing), LabelSmoothing, "Label smoothing must be in [0, 1).");
        if (!(WeightAverageDecay >= 0 && WeightAverageDecay < 1))
            throw new ArgumentOutOfRangeException(nameof(WeightAverageDecay), WeightAverageDecay, "The weight-average decay must be in [0, 1).");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "The validation fraction must be in [0, 1).");
        if (EarlyStoppingPatience is < 1)
            throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "Patience must be at least one epoch.");
        if (EarlyStoppingPatience is not null && ValidationSet is null && ValidationFraction == 0)
            throw new ArgumentException("Early stopping needs validation: set ValidationSet or a ValidationFraction above 0.", nameof(EarlyStoppingPatience));
        ValidateTestTimeRotations(TestTimeRotations, nameof(TestTimeRotations));
        if (Threads is < 1)
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "The thread count must be positive.");
    }

    /// <summary>Checks test-time rotations against <see cref="MaxTestTimeRotations"/> and <see cref="MaxTestTimeAngle"/>, wherever they are set.</summary>
    internal static void ValidateTestTimeRotations(IReadOnlyList<double> rotations, string paramName)
    {
        ArgumentNullException.ThrowIfNull(rotations, paramName);
        if (rotations.Count > MaxTestTimeRotations)
            throw new ArgumentOutOfRangeException(paramName, rotations.Count, $"At most {MaxTestTimeRotations} test-time rotations are allowed (each costs a pass of the network).");
        foreach (double angle in rotations)
        {
            if (!(Math.Abs(angle) <= MaxTestTimeAngle) || angle == 0)
                throw new ArgumentOutOfRangeException(paramName, angle, $"Test-time rotations must be nonzero angles of at most {MaxTestTimeAngle} degrees either way (the upright image is always scored).");
        }
    }
}
