using Google.Protobuf;
using Hcr.MLNet.IO;
using Hcr.MLNet.Onnx;
using Hcr.MLNet.Onnx.Proto;
using Hcr.MLNet.Scoring;
using Hcr.MLNet.Text;

namespace Hcr.MLNet;

public sealed partial class HandwritingTextReader
{
    /// <summary>
    /// Writes the line network as a standard ONNX model (opset 17), atomically: input <c>pixels</c> float
    /// <c>[batch, 1, 32, width]</c> (normalised strips, zero-padded to a multiple of 4), output <c>probabilities</c>
    /// float <c>[batch, width / 4, classes]</c> (a softmax per position, class 0 the CTC blank, class i + 1 the alphabet's
    /// i-th character), with the alphabet, the widest strip, the sequence model, Hcr.MLNet's format version and a
    /// checksum in its metadata, so that <see cref="LoadOnnx"/> gives back a reader that reads the same.
    /// </summary>
    /// <exception cref="NotSupportedException">
    /// The reader reads with <see cref="TextSequenceModel.BiLstm"/> (only <see cref="TextSequenceModel.Convolution"/> is exported),
    /// or it was itself loaded from ONNX.
    /// </exception>
    public void ExportOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using UsageGate.Lease lease = _gate.Enter(this);
        TorchScorer().ExportOnnx(path, Alphabet, MaxWidth);
    }

    /// <summary>
    /// Loads a reader from an ONNX file written by <see cref="ExportOnnx"/>. It reads on one ONNX Runtime session, with
    /// the same <c>Read</c> and <see cref="Evaluate"/> (same normalisation, decoding, confidences and boxes), and never
    /// loads TorchSharp or libtorch. <see cref="Save"/> and <see cref="ExportOnnx"/> are not available on it: the file is the model.
    /// </summary>
    /// <param name="path">The .onnx file.</param>
    /// <param name="options">Execution provider, threads and graph optimisation of the session; null for <see cref="OnnxScoringOptions.Default"/>, the CPU.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ModelFormatException">
    /// The file is not a text reader's ONNX model: truncated, changed since export (checksum), missing or wrong metadata,
    /// another input or output shape, or a graph the exporter would not write. The message names the file.
    /// </exception>
    /// <exception cref="ExecutionProviderUnavailableException">The execution provider asked for cannot be used.</exception>
    public static HandwritingTextReader LoadOnnx(string path, OnnxScoringOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= OnnxScoringOptions.Default;
        return FromOnnx(OnnxFormat.ReadFile(path), path, options);
    }

    /// <summary>A reader scoring <paramref name="bytes"/> (an exported model, named <paramref name="source"/> in errors) on ONNX Runtime.</summary>
    private static HandwritingTextReader FromOnnx(byte[] bytes, string source, OnnxScoringOptions options)
    {
        TextOnnxDescription description = TextOnnxFormat.Read(bytes, source, options.StrictValidation);
        return new HandwritingTextReader(OnnxTextScorer.Open(bytes, source, description, options), description.Alphabet, description.MaxWidth, []);
    }
}
