using Hcr.MLNet.DataViews;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Scoring;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Training;

/// <summary>
/// A trained handwriting CNN as an ML.NET transformer: it adds <c>Score</c> (class probabilities,
/// with the class names as slot names) and <c>PredictedLabel</c> (a key of the label's type, with the
/// class names as key values) to data that has the pixels column. It owns its TorchSharp network:
/// dispose it when done. Save it with <see cref="Save(Stream)"/>; ML.NET's own model zip cannot hold
/// third-party transformers.
/// </summary>
public sealed partial class HandwritingCnnTransformer : ColumnAppendingTransformer, IDisposable, ITorchCnn
{
    private readonly nn.Module<Tensor, Tensor> _network;
    private readonly string[] _classNames;
    private readonly TestTimeViews _views;
    // Every use of the native network holds a lease; Dispose waits for them (see UsageGate).
    private readonly UsageGate _gate = new();

    internal HandwritingCnnTransformer(nn.Module<Tensor, Tensor> network, CnnArchitecture architecture, string[] classNames,
        string pixelsColumnName, IReadOnlyList<EpochMetrics> history, Device device, IReadOnlyList<double> testTimeRotations)
    {
        _network = network;
        _network.eval();
        _classNames = classNames;
        Architecture = architecture;
        PixelsColumnName = pixelsColumnName;
        History = history;
        Device = device;
        _views = new TestTimeViews(testTimeRotations);
        TestTimeRotations = _views.Rotations;
    }

    /// <summary>The network design.</summary>
    public CnnArchitecture Architecture { get; }

    /// <summary>The classes, by class index: the label's key values as text (the characters, for EMNIST data).</summary>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <summary>Number of classes.</summary>
    public int ClassCount => _classNames.Length;

    /// <summary>The input column this transformer reads: 784 floats in 0..1.</summary>
    public string PixelsColumnName { get; }

    /// <summary>Per-epoch training history (train and validation loss and accuracy, time).</summary>
    public IReadOnlyList<EpochMetrics> History { get; }

    /// <summary>
    /// The angles (degrees, anticlockwise positive) of the turned copies of each image that are scored
    /// besides the image itself, their class probabilities averaged (see <see cref="HandwritingCnnOptions.TestTimeRotations"/>); empty when each image is scored alone.
    /// </summary>
    public IReadOnlyList<double> TestTimeRotations { get; }

    /// <summary>The device the network runs on.</summary>
    internal Device Device { get; }

    internal nn.Module<Tensor, Tensor> Network => _network;

    private protected override AppendingMapper CreateMapper(DataViewSchema inputSchema) => ScoringMapper.Create(this, inputSchema, PixelsColumnName);

    private protected override void ThrowIfUnusable() => ObjectDisposedException.ThrowIf(_gate.IsClosed, this);

    /// <summary>Class probabilities of one 28×28 image (784 floats in 0..1, row-major).</summary>
    public float[] Score(ReadOnlySpan<float> pixels)
    {
        if (pixels.Length != CharacterTile.PixelCount)
            throw new ArgumentException($"An image is {CharacterTile.PixelCount} pixels (28x28), not {pixels.Length}.", nameof(pixels));
        CharacterTile.CheckPixels(pixels, PixelsColumnName, "input", 0);
        var probabilities = new float[ClassCount];
        ((IBatchScorer)this).Score(pixels, 1, probabilities);
        return probabilities;
    }

    /// <summary>
    /// Softmax probabilities averaged over the test-time views. The network stays in eval mode and
    /// nothing is cached between calls, so concurrent calls from several threads are safe.
    /// </summary>
    void IBatchScorer.Score(ReadOnlySpan<float> pixels, int count, Span<float> probabilities)
    {
        using UsageGate.Lease lease = _gate.Enter(this);
        if (pixels.Length < count * CharacterTile.PixelCount || probabilities.Length < count * ClassCount)
            throw new ArgumentException("The buffers are smaller than the image count needs.");
        if (count == 0)
            return;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        Tensor images = torch.tensor(pixels[..(count * CharacterTile.PixelCount)].ToArray(), [count, 1, CharacterTile.Side, CharacterTile.Side]).to(Device);
        Tensor result = _views.Probabilities(_network, images).cpu();
        result.data<float>().CopyTo(probabilities[..(count * ClassCount)]);
    }

    string ITorchCnn.ArchitectureName => Architecture.Name;

    ITorchCnn ITorchCnn.CopyWithTestTimeRotations(IReadOnlyList<double> rotations) => WithTestTimeRotations(rotations);

    /// <summary>
    /// A copy of this transformer, with a network of its own (the same weights, on the same device, with the same classes
    /// and history), that scores with other test-time rotations: <c>[]</c> scores each image alone, about three times as
    /// fast as the default two turned copies, for about 0.3 points of macro accuracy (docs/accuracy.md, "Training recipes"). The rotations
    /// only change scoring, not the weights, so they can be chosen after training; save or export the copy to keep them.
    /// </summary>
    /// <param name="rotations">Angles in degrees, as <see cref="HandwritingCnnOptions.TestTimeRotations"/> takes them.</param>
    /// <exception cref="ArgumentOutOfRangeException">Too many angles, or one that is zero or larger than <see cref="HandwritingCnnOptions.MaxTestTimeAngle"/>.</exception>
    public HandwritingCnnTransformer WithTestTimeRotations(IReadOnlyList<double> rotations)
    {
        HandwritingCnnOptions.ValidateTestTimeRotations(rotations, nameof(rotations));
        using UsageGate.Lease lease = _gate.Enter(this);
        nn.Module<Tensor, Tensor> copy = Architecture.CreateNetwork(_classNames.Length);
        try
        {
            copy.to(Device);
            Dictionary<string, Tensor> source = _network.state_dict();
            using (torch.no_grad())
            {
                foreach ((string name, Tensor tensor) in copy.state_dict())
                    tensor.copy_(source[name]);
            }
            return new HandwritingCnnTransformer(copy, Architecture, _classNames, PixelsColumnName, History, Device, rotations.ToArray());
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    /// <summary>Saved with <see cref="Save(Stream)"/>, not with ML.NET's model zip.</summary>
    private protected override string WhyNotSavable =>
        "HandwritingCnnTransformer cannot be saved with mlContext.Model.Save (ML.NET only loads its own transformer types from " +
        "its model zip). Save it with HandwritingCnnTransformer.Save(path), or save the whole chain with HandwritingRecognizer.Save.";

    /// <summary>Releases the network's native memory.</summary>
    public void Dispose()
    {
        // Waits for scoring calls on other threads to finish: freeing the network under them would fail them.
        if (_gate.Close())
            _network.Dispose();
    }
}
