using Hcr.MLNet.Training;

namespace Hcr.MLNet;

public sealed partial class HandwritingRecognizer
{
    /// <summary>
    /// The TorchSharp network to fine-tune from, checked when the builder records it and again when it trains
    /// (the caller may have disposed the recognizer in between).
    /// </summary>
    /// <exception cref="NotSupportedException">An ONNX-only recognizer: it has no trainable weights.</exception>
    /// <exception cref="ObjectDisposedException">The recognizer was disposed.</exception>
    internal HandwritingCnnTransformer RequireTrainableNetwork()
    {
        ObjectDisposedException.ThrowIf(_gate.IsClosed, this);
        return Network ?? throw new NotSupportedException(
            "This recognizer was loaded from ONNX and runs on ONNX Runtime alone, so it has no TorchSharp weights to fine-tune. " +
            "Fine-tune the recognizer it was exported from (trained, or loaded from its .hcr file with HandwritingRecognizer.Load).");
    }
}
