using System.Globalization;
using Hcr.MLNet.IO;
using Hcr.MLNet.Onnx;
using Hcr.MLNet.Onnx.Proto;

namespace Hcr.MLNet.Text;

/// <summary>What a text reader's ONNX file holds besides its graph (written by the training assembly's <c>TextOnnxExport</c>).</summary>
internal sealed record TextOnnxDescription(TextAlphabet Alphabet, int MaxWidth, TextSequenceModel SequenceModel, long Opset);

/// <summary>
/// The checks a text reader's ONNX file passes before it is scored: Hcr.MLNet's seal and format version
/// (<see cref="OnnxFormat.ReadSealed"/>), the text reader's metadata, the input and output it declares, and, when
/// strict, the graph (<see cref="OnnxGraphValidator"/>) at the widest strip the reader ever gives it.
/// </summary>
internal static class TextOnnxFormat
{
    /// <summary>The widest input the reader gives the graph: the widest strip rounded up to the stride, as batches are padded.</summary>
    public static int PaddedWidth(int maxWidth) =>
        (maxWidth + TextStrip.WidthStride - 1) / TextStrip.WidthStride * TextStrip.WidthStride;

    /// <exception cref="ModelFormatException">The bytes are not a text reader's ONNX model; the message names <paramref name="source"/>.</exception>
    public static TextOnnxDescription Read(byte[] bytes, string source, bool strict)
    {
        (ModelProto model, Dictionary<string, string> metadata) = OnnxFormat.ReadSealed(bytes, source);
        if (!metadata.TryGetValue(OnnxMetadataKeys.Alphabet, out string? characters))
        {
            throw new ModelFormatException(source,
                $"not a text reader's ONNX model ('{OnnxMetadataKeys.Alphabet}' is missing from its metadata); a character model loads with HandwritingRecognizer.LoadOnnx.");
        }
        TextAlphabet alphabet;
        try
        {
            alphabet = new TextAlphabet(characters);
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException(source, $"'{OnnxMetadataKeys.Alphabet}' is not a valid alphabet ({e.Message}).", e);
        }
        if (!metadata.TryGetValue(OnnxMetadataKeys.MaxWidth, out string? widthText)
            || !int.TryParse(widthText, NumberStyles.None, CultureInfo.InvariantCulture, out int maxWidth)
            || maxWidth < TextStrip.Height || maxWidth > LineNormalizer.MaxAnalysisSide)
        {
            throw new ModelFormatException(source,
                $"'{OnnxMetadataKeys.MaxWidth}' must be a strip width of {TextStrip.Height} to {LineNormalizer.MaxAnalysisSide} pixels, but it is {(widthText is null ? "missing" : $"'{widthText}'")}.");
        }
        if (!metadata.TryGetValue(OnnxMetadataKeys.SequenceModel, out string? sequenceText)
            || !Enum.TryParse(sequenceText, ignoreCase: false, out TextSequenceModel sequenceModel) || !Enum.IsDefined(sequenceModel)
            || sequenceText != sequenceModel.ToString())
        {
            throw new ModelFormatException(source,
                $"'{OnnxMetadataKeys.SequenceModel}' must name a sequence model ({string.Join(", ", Enum.GetNames<TextSequenceModel>())}), but it is {(sequenceText is null ? "missing" : $"'{sequenceText}'")}.");
        }

        CheckInput(model.Graph, source);
        CheckOutput(model.Graph, alphabet.ClassCount, source);
        if (strict)
        {
            int width = PaddedWidth(maxWidth);
            OnnxGraphValidator.Validate(model, bytes, source, [1, TextStrip.Height, width],
                [width / TextStrip.WidthStride, alphabet.ClassCount]);
        }
        return new TextOnnxDescription(alphabet, maxWidth, sequenceModel, OnnxFormat.ImportedOpset(model));
    }

    private static void CheckInput(GraphProto graph, string source)
    {
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        List<ValueInfoProto> inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        if (inputs.Count != 1 || inputs[0].Name != OnnxFormat.InputName)
        {
            throw new ModelFormatException(source,
                $"the model must have one input named '{OnnxFormat.InputName}', but it has {inputs.Count}: {string.Join(", ", inputs.Select(i => $"'{i.Name}'"))}.");
        }
        // Batch and width are symbolic: the reader gives any number of strips of any width up to the widest.
        if (!OnnxFormat.IsFloatTensor(inputs[0], out IReadOnlyList<long?> shape) || shape.Count != 4 || shape[0] is not null
            || shape[1] != 1 || shape[2] != TextStrip.Height || shape[3] is not null)
        {
            throw new ModelFormatException(source,
                $"input '{OnnxFormat.InputName}' must be float [batch, 1, {TextStrip.Height}, width], but it is {OnnxFormat.Describe(inputs[0])}.");
        }
    }

    private static void CheckOutput(GraphProto graph, int classCount, string source)
    {
        ValueInfoProto? output = graph.Output.Count == 1 && graph.Output[0].Name == OnnxFormat.ProbabilitiesName ? graph.Output[0] : null;
        if (output is null)
        {
            throw new ModelFormatException(source,
                $"the model must have one output named '{OnnxFormat.ProbabilitiesName}' (outputs: {string.Join(", ", graph.Output.Select(o => $"'{o.Name}'"))}).");
        }
        if (!OnnxFormat.IsFloatTensor(output, out IReadOnlyList<long?> shape) || shape.Count != 3 || shape[0] is not null || shape[1] is not null
            || shape[2] != classCount)
        {
            throw new ModelFormatException(source,
                $"output '{OnnxFormat.ProbabilitiesName}' must be float [batch, positions, {classCount}] (one probability per class of '{OnnxMetadataKeys.Alphabet}' and the blank), but it is {OnnxFormat.Describe(output)}.");
        }
    }
}
