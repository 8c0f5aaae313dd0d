using Hcr.MLNet.IO;
using Hcr.MLNet.Scoring;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Hcr.MLNet.Onnx;

/// <summary>
/// One ONNX Runtime session on an exported network, character or line alike: opened once from checked bytes, run on
/// the caller's buffers without copying them, safe to call from several threads (ONNX Runtime runs concurrent calls
/// on one session), and disposed only once the calls under way have finished (disposing a session under a running
/// call crashes the process). <see cref="OnnxCnnModel"/> and the text reader's ONNX scorer each hold one.
/// </summary>
internal sealed class OnnxNetwork : IDisposable
{
    private static readonly string[] InputNames = [OnnxFormat.InputName];
    private static readonly string[] OutputNames = [OnnxFormat.ProbabilitiesName];

    private readonly InferenceSession _session;
    private readonly UsageGate _gate = new();

    private OnnxNetwork(InferenceSession session) => _session = session;

    /// <summary>Whether <see cref="Dispose"/> has begun.</summary>
    public bool IsDisposed => _gate.IsClosed;

    /// <summary>The session on <paramref name="bytes"/> (already checked), ONNX Runtime's errors told apart by what most likely caused them.</summary>
    /// <exception cref="ExecutionProviderUnavailableException">A GPU provider could not start; the message says what it needs.</exception>
    /// <exception cref="ModelFormatException">ONNX Runtime refuses the graph; <paramref name="path"/> names it.</exception>
    public static OnnxNetwork Open(byte[] bytes, string path, OnnxScoringOptions scoring)
    {
        using SessionOptions options = scoring.CreateSessionOptions();
        try
        {
            return new OnnxNetwork(new InferenceSession(bytes, options));
        }
        catch (OnnxRuntimeException e) when (scoring.ExecutionProvider != OnnxExecutionProvider.Cpu)
        {
            // The file passed Hcr.MLNet's checks (checksum, shapes), so a failure here is far more often the device's
            // (driver, CUDA, cuDNN, memory) than the graph's; loading on the CPU tells the two apart.
            throw new ExecutionProviderUnavailableException(scoring.ExecutionProvider, OrtEnv.Instance().GetAvailableProviders(),
                $"ONNX Runtime could not open {path} on {scoring.Describe()} ({e.Message}). {scoring.Requirements()} " +
                "If the model also fails to load with the default (CPU) options, the file is at fault.", e);
        }
        catch (Exception e) when (e is OnnxRuntimeException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw new ModelFormatException(path, $"ONNX Runtime cannot load the model ({e.Message}).", e);
        }
    }

    /// <summary>A lease for a call (or several) on behalf of <paramref name="owner"/>: <see cref="Dispose"/> waits for it.</summary>
    /// <exception cref="ObjectDisposedException">The network was disposed (named as <paramref name="owner"/>).</exception>
    public UsageGate.Lease Enter(object owner) => _gate.Enter(owner);

    /// <summary>
    /// Runs the network on <paramref name="input"/> (of shape <paramref name="inputShape"/>) into
    /// <paramref name="output"/> (of shape <paramref name="outputShape"/>), both used in place. Call it under a lease.
    /// </summary>
    public unsafe void Run(ReadOnlySpan<float> input, long[] inputShape, Span<float> output, long[] outputShape)
    {
        fixed (float* inputPointer = input)
        fixed (float* outputPointer = output)
        {
            using OrtValue inputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float,
                inputShape, (IntPtr)inputPointer, (long)input.Length * sizeof(float));
            using OrtValue outputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float,
                outputShape, (IntPtr)outputPointer, (long)output.Length * sizeof(float));
            using var runOptions = new RunOptions();
            _session.Run(runOptions, InputNames, [inputValue], OutputNames, [outputValue]);
        }
    }

    public void Dispose()
    {
        if (_gate.Close())
            _session.Dispose();
    }
}
