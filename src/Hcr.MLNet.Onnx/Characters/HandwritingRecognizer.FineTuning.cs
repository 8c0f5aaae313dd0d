using Hcr.MLNet.Scoring;

namespace Hcr.MLNet;

public sealed partial class HandwritingRecognizer
{
    /// <summary>
    /// Whether fine-tuning can start from this recognizer, checked when the builder records it without loading
    /// anything (the pretrained recognizer's weights load when it trains).
    /// </summary>
    /// <exception cref="NotSupportedException">An ONNX-only recognizer: it has no trainable weights.</exception>
    /// <exception cref="ObjectDisposedException">The recognizer was disposed.</exception>
    internal void CheckTrainable()
    {
        ObjectDisposedException.ThrowIf(_gate.IsClosed, this);
        if (TorchNetwork is null && !_pretrained)
            throw NoTrainableWeights();
    }

    /// <summary>
    /// The TorchSharp network to fine-tune from, checked when the builder records it and again when it trains
    /// (the caller may have disposed the recognizer in between). For the pretrained recognizer, which scores on
    /// ONNX Runtime, these are the shipped weights, loaded (with libtorch) on the first call.
    /// </summary>
    /// <exception cref="NotSupportedException">An ONNX-only recognizer: it has no trainable weights.</exception>
    /// <exception cref="ObjectDisposedException">The recognizer was disposed.</exception>
    internal ITorchCnn RequireTrainableNetwork()
    {
        ObjectDisposedException.ThrowIf(_gate.IsClosed, this);
        if (TorchNetwork is { } network)
            return network;
        if (_pretrained)
            return PretrainedWeights();
        throw NoTrainableWeights();
    }

    private static NotSupportedException NoTrainableWeights() => new(
        "This recognizer was loaded from ONNX and runs on ONNX Runtime alone, so it has no TorchSharp weights to fine-tune. " +
        "Fine-tune the recognizer it was exported from (trained, or loaded from its .hcr file with HandwritingRecognizer.Load).");
}
