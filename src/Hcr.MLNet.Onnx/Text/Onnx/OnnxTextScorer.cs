using Hcr.MLNet.Onnx;
using Hcr.MLNet.Scoring;

namespace Hcr.MLNet.Text;

/// <summary>
/// A text reader's exported network on one ONNX Runtime session (<see cref="OnnxNetwork"/>, opened from
/// <see cref="OnnxScoringOptions"/> as <see cref="OnnxCnnModel"/> opens its own). Thread-safe.
/// </summary>
internal sealed class OnnxTextScorer(OnnxNetwork network, TextSequenceModel sequenceModel, int classCount) : ITextScorer
{
    public TextSequenceModel SequenceModel { get; } = sequenceModel;

    /// <summary>A session on <paramref name="bytes"/>, which <see cref="TextOnnxFormat.Read"/> has checked.</summary>
    public static OnnxTextScorer Open(byte[] bytes, string path, TextOnnxDescription description, OnnxScoringOptions options) =>
        new(OnnxNetwork.Open(bytes, path, options), description.SequenceModel, description.Alphabet.ClassCount);

    public float[] Score(float[] pixels, int count, int width)
    {
        using UsageGate.Lease lease = network.Enter(this);
        int positions = width / TextStrip.WidthStride;
        var probabilities = new float[count * positions * classCount];
        network.Run(pixels, [count, 1, TextStrip.Height, width], probabilities, [count, positions, classCount]);
        return probabilities;
    }

    public void Dispose() => network.Dispose(); // waits for the runs on other threads to finish
}
