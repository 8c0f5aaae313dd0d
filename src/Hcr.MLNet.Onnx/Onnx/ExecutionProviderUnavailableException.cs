namespace Hcr.MLNet.Onnx;

/// <summary>
/// The execution provider <see cref="OnnxScoringOptions"/> asked for cannot run the model: the ONNX Runtime
/// native library loaded in this process was built without it (the message names the package to add), or
/// ONNX Runtime could not start it on the device (drivers, CUDA or cuDNN missing, no such device).
/// </summary>
public sealed class ExecutionProviderUnavailableException : NotSupportedException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="provider">The provider asked for.</param>
    /// <param name="availableProviders">The providers the loaded ONNX Runtime has, as it names them.</param>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="innerException">ONNX Runtime's own error, if it raised one.</param>
    public ExecutionProviderUnavailableException(OnnxExecutionProvider provider, IReadOnlyList<string> availableProviders, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(availableProviders);
        Provider = provider;
        AvailableProviders = availableProviders.ToArray();
    }

    /// <summary>The provider asked for.</summary>
    public OnnxExecutionProvider Provider { get; }

    /// <summary>The providers the loaded ONNX Runtime has (<c>OrtEnv.Instance().GetAvailableProviders()</c>), e.g. <c>CPUExecutionProvider</c>.</summary>
    public IReadOnlyList<string> AvailableProviders { get; }
}
