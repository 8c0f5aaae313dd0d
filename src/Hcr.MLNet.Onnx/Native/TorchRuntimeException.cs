namespace Hcr.MLNet.Native;

/// <summary>TorchSharp's native runtime cannot be used here; the message says why and what to do.</summary>
public sealed class TorchRuntimeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TorchRuntimeException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
