namespace Hcr.MLNet.Text;

/// <summary>
/// The strips a line network reads, whichever engine runs it: <see cref="Height"/> pixels high and any width, one output
/// position per <see cref="WidthStride"/> columns. Line normalisation, batching, the ONNX format and decoding read them
/// here; the TorchSharp network (in the training assembly) is built to them.
/// </summary>
internal static class TextStrip
{
    /// <summary>The strip's height in pixels.</summary>
    public const int Height = 32;

    /// <summary>Image columns per output position.</summary>
    public const int WidthStride = 4;
}
