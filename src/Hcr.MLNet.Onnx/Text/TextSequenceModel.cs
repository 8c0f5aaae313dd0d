namespace Hcr.MLNet.Text;

/// <summary>What reads the convolutional features along the line's width (the line network's last stage).</summary>
public enum TextSequenceModel
{
    /// <summary>A bidirectional LSTM: every position sees the whole line.</summary>
    BiLstm,

    /// <summary>A stack of 1-D convolutions: each position sees a window of the line; cheaper, and plain ONNX operators.</summary>
    Convolution,
}
