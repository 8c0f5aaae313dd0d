using Hcr.MLNet.Onnx;
using Hcr.MLNet.Scoring;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Hcr.MLNet.Text;

/// <summary>
/// A text reader's exported network on one ONNX Runtime session (opened from <see cref="OnnxScoringOptions"/>, as
/// <see cref="OnnxCnnModel"/> opens its own). Thread-safe; ONNX Runtime runs
/// concurrent calls on one session.
/// </summary>
internal sealed class OnnxTextScorer : ITextScorer
{
    private static readonly string[] InputNames = [OnnxFormat.InputName];
    private static readonly string[] OutputNames = [OnnxFormat.ProbabilitiesName];

    private readonly InferenceSession _session;
    private readonly int _classCount;
    // Every ONNX Runtime call holds a lease; Dispose waits for them (disposing a session under a running call crashes the process).
    private readonly UsageGate _gate = new();

    private OnnxTextScorer(InferenceSession session, TextSequenceModel sequenceModel, int classCount)
    {
        _session = session;
        SequenceModel = sequenceModel;
        _classCount = classCount;
    }

    public TextSequenceModel SequenceModel { get; }

    /// <summary>A session on <paramref name="bytes"/>, which <see cref="TextOnnxFormat.Read"/> has checked.</summary>
    public static OnnxTextScorer Open(byte[] bytes, string path, TextOnnxDescription description, OnnxScoringOptions options) =>
        new(OnnxCnnModel.OpenSession(bytes, path, options), description.SequenceModel, description.Alphabet.ClassCount);

    public unsafe float[] Score(float[] pixels, int count, int width)
    {
        using UsageGate.Lease lease = _gate.Enter(this);
        var probabilities = new float[count * (width / TextStrip.WidthStride) * _classCount];
        fixed (float* input = pixels)
        fixed (float* output = probabilities)
        {
            using OrtValue inputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float,
                [count, 1, TextStrip.Height, width], (IntPtr)input, (long)pixels.Length * sizeof(float));
            using OrtValue outputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float,
                [count, width / TextStrip.WidthStride, _classCount], (IntPtr)output, (long)probabilities.Length * sizeof(float));
            using var runOptions = new RunOptions();
            _session.Run(runOptions, InputNames, [inputValue], OutputNames, [outputValue]);
        }
        return probabilities;
    }

    public void Dispose()
    {
        if (_gate.Close())
            _session.Dispose();
    }
}
