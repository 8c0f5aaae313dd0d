using System.Globalization;
using Hcr.MLNet.Export;
using Hcr.MLNet.Onnx;
using Hcr.MLNet.Onnx.Proto;
using TorchSharp.Modules;

namespace Hcr.MLNet.Text;

/// <summary>
/// The line network as an ONNX model, written by <see cref="OnnxExporter"/>'s sequence layout: input <c>pixels</c>
/// float <c>[batch, 1, 32, width]</c> (strips as <see cref="LineNormalizer"/> makes them, ink bright, padded with zeros
/// on the right to a multiple of 4), output <c>probabilities</c> float <c>[batch, width / 4, classes]</c>, a softmax
/// over the classes at each position (class 0 the CTC blank), which is what decoding reads. Batch norm is folded into
/// the convolutions and dropout left out, as in evaluation mode. The metadata holds what reading needs besides the
/// graph: the alphabet, the widest strip and the sequence model.
/// </summary>
internal static class TextOnnxExport
{
    private const string GraphName = "hcr_text_line";

    /// <summary>Builds the sealed model.</summary>
    /// <exception cref="NotSupportedException">The network reads with a BiLSTM, which is not exported.</exception>
    public static ModelProto Export(TextLineNetwork network, TextAlphabet alphabet, int maxWidth)
    {
        // A BiLSTM would need ONNX's LSTM, whose gate order (i, o, f, c) and weight layout differ from TorchSharp's
        // (i, f, g, o); it is not written rather than written untested.
        if (network.SequenceModel != TextSequenceModel.Convolution || network.Convolutions is null)
        {
            throw new NotSupportedException(
                $"ONNX export of a text reader supports the {nameof(TextSequenceModel.Convolution)} sequence model only; this one reads with " +
                $"{network.SequenceModel}. Train it with {nameof(HandwritingTextReaderBuilder)}.{nameof(HandwritingTextReaderBuilder.WithSequenceModel)}" +
                $"({nameof(TextSequenceModel)}.{nameof(TextSequenceModel.Convolution)}) to export it. Nothing was written.");
        }
        if (alphabet.ClassCount != network.ClassCount)
            throw new InvalidOperationException($"The network gives {network.ClassCount} classes but the alphabet has {alphabet.ClassCount}.");

        string description = $"Handwritten word and line reader (CRNN, {network.Size} size, {network.SequenceModel} sequence model, CTC): " +
            $"strips {TextStrip.Height} pixels high and at most {maxWidth} wide → per-position class probabilities, class 0 the blank.";
        (OnnxExporter exporter, OnnxExporter.Value x) = OnnxExporter.BeginSequence(GraphName, description, 1, TextStrip.Height,
            TextOnnxFormat.PaddedWidth(maxWidth));
        x = exporter.Layers("features", network.Features, x);
        x = exporter.Relu("project.relu", exporter.ColumnDense("project", network.Project, x));
        x = exporter.Sum("sequence.residual", x, Convolutions(exporter, network.Convolutions, x));
        // Dropout is the identity at inference.
        exporter.ColumnProbabilities(exporter.ColumnDense("output", network.Output, x));

        return exporter.Finish(description,
        [
            (OnnxMetadataKeys.Alphabet, alphabet.Characters),
            (OnnxMetadataKeys.MaxWidth, maxWidth.ToString(CultureInfo.InvariantCulture)),
            (OnnxMetadataKeys.SequenceModel, network.SequenceModel.ToString()),
            (OnnxMetadataKeys.Input,
                $"'{OnnxFormat.InputName}': float [batch, 1, {TextStrip.Height}, width], strips normalised as HandwritingTextReader does " +
                $"(ink 1, paper 0), zero-padded on the right to a multiple of {TextStrip.WidthStride}, at most {TextOnnxFormat.PaddedWidth(maxWidth)} wide"),
        ]);
    }

    /// <summary>The 1-D stack: (Conv1d, BatchNorm1d, ReLU) layers, in the network's order.</summary>
    private static OnnxExporter.Value Convolutions(OnnxExporter exporter, Sequential stack, OnnxExporter.Value x)
    {
        var layers = stack.named_children().ToList();
        for (int i = 0; i < layers.Count; i++)
        {
            (string name, TorchSharp.torch.nn.Module module) = layers[i];
            string path = $"sequence.{name}";
            switch (module)
            {
                case Conv1d conv when i + 1 < layers.Count && layers[i + 1].module is BatchNorm1d norm:
                    x = exporter.RowConvolution(path, conv, norm, $"sequence.{layers[i + 1].name}", x);
                    i++;
                    break;
                case Conv1d conv:
                    x = exporter.RowConvolution(path, conv, null, null, x);
                    break;
                case ReLU:
                    x = exporter.Relu(path, x);
                    break;
                default:
                    throw new NotSupportedException($"ONNX export: layer '{path}' ({module.GetType().FullName}) of the sequence model is not supported. Nothing was written.");
            }
        }
        return x;
    }
}
