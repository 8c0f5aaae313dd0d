using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using Hcr.MLNet.IO;
using Hcr.MLNet.Onnx.Proto;

namespace Hcr.MLNet.Onnx;

/// <summary>
/// Hcr.MLNet's layout of an ONNX model: versions, input and output names, the integrity seal, and
/// the checks a file must pass before it is scored.
/// </summary>
internal static class OnnxFormat
{
    /// <summary>ONNX IR version written (IR 8: ONNX 1.10 and later, ONNX Runtime 1.10 and later).</summary>
    public const long IrVersion = 8;

    /// <summary>Version of the default ONNX operator set the graph uses.</summary>
    public const long Opset = 17;

    /// <summary>Hcr.MLNet's own layout version, stored under <see cref="OnnxMetadataKeys.FormatVersion"/>.</summary>
    public const int FormatVersion = ModelFormats.OnnxVersion;

    public const string InputName = "pixels";
    public const string ProbabilitiesName = "probabilities";
    public const string PredictedClassName = "predicted_class";
    public const string BatchDimension = "batch";

    /// <summary>The symbolic width of a sequence graph's input (the text reader's strips).</summary>
    public const string WidthDimension = "width";

    /// <summary>The symbolic position count of a sequence graph's output: the width over the network's stride.</summary>
    public const string PositionsDimension = "positions";
    public const int ImageSize = DataViews.CharacterTile.Side;
    public const int PixelCount = DataViews.CharacterTile.PixelCount;

    /// <summary>Adds (or replaces) the <see cref="OnnxMetadataKeys.ContentSha256"/> entry: the hash of the model without it.</summary>
    public static void Seal(ModelProto model)
    {
        RemoveSeal(model);
        model.MetadataProps.Add(new StringStringEntryProto { Key = OnnxMetadataKeys.ContentSha256, Value = ContentHash(model) });
    }

    /// <summary>SHA-256 (lower-case hex) of the model's serialization without its seal entry.</summary>
    public static string ContentHash(ModelProto model)
    {
        ModelProto unsealed = model.Clone();
        RemoveSeal(unsealed);
        return Convert.ToHexStringLower(SHA256.HashData(unsealed.ToByteArray()));
    }

    private static void RemoveSeal(ModelProto model)
    {
        for (int i = model.MetadataProps.Count - 1; i >= 0; i--)
        {
            if (model.MetadataProps[i].Key == OnnxMetadataKeys.ContentSha256)
                model.MetadataProps.RemoveAt(i);
        }
    }

    /// <summary>
    /// The bytes of the ONNX file at <paramref name="path"/>, read no further than <see cref="ModelFormats.MaxOnnxBytes"/>:
    /// a larger file is refused by its size, and a device or pipe that never ends (<c>/dev/zero</c>) once it passes the limit.
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    /// <exception cref="ModelFormatException">The path is a directory, or the file is larger than any model.</exception>
    public static byte[] ReadFile(string path)
    {
        ModelFormats.RequireFile(path, "ONNX model file");
        string tooLarge = $"larger than an Hcr.MLNet ONNX model can be (at most {ModelFormats.MaxOnnxBytes:N0} bytes); it is not such a model.";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        // A regular file knows its size; a device or pipe reports 0 and is held to the limit as it is read.
        if (stream.CanSeek && stream.Length > ModelFormats.MaxOnnxBytes)
            throw new ModelFormatException(path, $"{stream.Length:N0} bytes, {tooLarge}");
        using MemoryStream bytes = BoundedRead.Stream(stream, ModelFormats.MaxOnnxBytes, path, tooLarge);
        return bytes.ToArray();
    }

    /// <summary>
    /// Parses and checks a model: an ONNX model, sealed and unchanged, with Hcr.MLNet's metadata, a
    /// <c>pixels</c> input of <c>[batch, 1, 28, 28]</c> floats and a <c>probabilities</c> output of one
    /// value per class; when <paramref name="strict"/>, a graph of nothing but what the exporter writes
    /// (<see cref="OnnxGraphValidator"/>). Errors name <paramref name="source"/> and the problem.
    /// </summary>
    /// <exception cref="ModelFormatException">The bytes are not such a model.</exception>
    public static OnnxModelDescription Read(byte[] bytes, string source, bool strict = true)
    {
        (ModelProto model, Dictionary<string, string> metadata) = ReadSealed(bytes, source);
        string[] classes = ReadClasses(metadata, source);
        CheckInput(model.Graph, source);
        CheckProbabilities(model.Graph, classes.Length, source);
        if (strict)
            OnnxGraphValidator.Validate(model, bytes, classes.Length, source);
        return new OnnxModelDescription(classes, metadata, ImportedOpset(model), model.IrVersion);
    }

    /// <summary>The default-domain operator set a model imports.</summary>
    public static long ImportedOpset(ModelProto model) =>
        model.OpsetImport.Where(o => o.Domain.Length == 0 || o.Domain == "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();

    /// <summary>
    /// What every Hcr.MLNet ONNX file passes first, whatever its layout: an ONNX model with Hcr.MLNet's format version,
    /// sealed and unchanged since. Returns it and its metadata.
    /// </summary>
    /// <exception cref="ModelFormatException">The bytes are not such a model; the message names <paramref name="source"/>.</exception>
    public static (ModelProto Model, Dictionary<string, string> Metadata) ReadSealed(byte[] bytes, string source)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelFormatException(source, $"not an ONNX model, or a truncated or corrupt one ({e.Message}).", e);
        }
        if (model.Graph is null || model.IrVersion <= 0 || model.OpsetImport.Count == 0)
            throw new ModelFormatException(source, "not an ONNX model (no graph, IR version or operator set).");

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (StringStringEntryProto entry in model.MetadataProps)
            metadata[entry.Key] = entry.Value;
        if (!metadata.TryGetValue(OnnxMetadataKeys.FormatVersion, out string? version))
        {
            throw new ModelFormatException(source,
                $"an ONNX model without Hcr.MLNet's metadata ('{OnnxMetadataKeys.FormatVersion}' is missing); only models written by Hcr.MLNet's ExportOnnx can be loaded.");
        }
        if (version != FormatVersion.ToString(CultureInfo.InvariantCulture))
            throw new ModelFormatException(source, $"Hcr.MLNet ONNX format version '{version}'; this version of Hcr.MLNet reads version {FormatVersion}.");
        if (!metadata.TryGetValue(OnnxMetadataKeys.ContentSha256, out string? sealedHash))
            throw new ModelFormatException(source, $"the model has no '{OnnxMetadataKeys.ContentSha256}' checksum; the file is corrupt.");
        if (!string.Equals(sealedHash, ContentHash(model), StringComparison.Ordinal))
            throw new ModelFormatException(source, "the content does not match its checksum: the file is corrupt or was changed after export.");
        CheckFinite(model.Graph, source);
        return (model, metadata);
    }

    /// <summary>
    /// Refuses a weight that is NaN or infinite, in every float or double initializer and tensor-valued attribute, checked or
    /// not by <see cref="OnnxGraphValidator"/>: the seal is only a checksum, so a diverged training's export (or an edited and
    /// resealed file) passed every other check, and then the text reader threw NullReferenceException on every image and
    /// the recognizer answered with confidence NaN.
    /// </summary>
    /// <exception cref="ModelFormatException">A weight is not finite; the message names the tensor.</exception>
    internal static void CheckFinite(GraphProto graph, string source)
    {
        foreach (TensorProto tensor in graph.Initializer)
            CheckFinite(tensor, $"initializer '{tensor.Name}'", source);
        foreach (NodeProto node in graph.Node)
        {
            foreach (AttributeProto attribute in node.Attribute)
            {
                string where = $"attribute '{attribute.Name}' of node '{node.Name}'";
                if (attribute.T is not null)
                    CheckFinite(attribute.T, where, source);
                foreach (TensorProto tensor in attribute.Tensors)
                    CheckFinite(tensor, where, source);
                if (!float.IsFinite(attribute.F) || attribute.Floats.Any(f => !float.IsFinite(f)))
                    throw NotFinite(where, source);
            }
        }
    }

    private static void CheckFinite(TensorProto tensor, string name, string source)
    {
        // Raw data is little-endian; a length that is not a whole number of values is OnnxGraphValidator's to refuse.
        ReadOnlySpan<byte> raw = tensor.RawData.Span;
        bool finite = true;
        switch ((TensorProto.Types.DataType)tensor.DataType)
        {
            case TensorProto.Types.DataType.Float:
                finite = tensor.FloatData.All(float.IsFinite);
                for (int i = 0; finite && i + sizeof(float) <= raw.Length; i += sizeof(float))
                    finite = float.IsFinite(BinaryPrimitives.ReadSingleLittleEndian(raw[i..]));
                break;
            case TensorProto.Types.DataType.Double:
                // This library's schema subset has no double_data field: a double tensor's values are raw.
                for (int i = 0; finite && i + sizeof(double) <= raw.Length; i += sizeof(double))
                    finite = double.IsFinite(BinaryPrimitives.ReadDoubleLittleEndian(raw[i..]));
                break;
        }
        if (!finite)
            throw NotFinite(name, source);
    }

    private static ModelFormatException NotFinite(string name, string source) =>
        new(source, $"{name} holds a weight that is NaN or infinite: the model diverged in training or the file was changed; it cannot read anything.");

    private static string[] ReadClasses(Dictionary<string, string> metadata, string source)
    {
        if (!metadata.TryGetValue(OnnxMetadataKeys.Classes, out string? json))
        {
            // Both layouts share the format version and the seal, so the text reader's alphabet is what tells them apart.
            string hint = metadata.ContainsKey(OnnxMetadataKeys.Alphabet) ? " It is a text reader's model; load it with HandwritingTextReader.LoadOnnx." : "";
            throw new ModelFormatException(source, $"the model's metadata has no '{OnnxMetadataKeys.Classes}' entry.{hint}");
        }
        string[]? classes;
        try
        {
            classes = JsonSerializer.Deserialize<string[]>(json);
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(source, $"'{OnnxMetadataKeys.Classes}' is not a JSON array of strings ({e.Message}).", e);
        }
        if (classes is null || classes.Length < 2 || classes.Any(c => c is null))
            throw new ModelFormatException(source, $"'{OnnxMetadataKeys.Classes}' must list at least two class names.");
        return classes;
    }

    private static void CheckInput(GraphProto graph, string source)
    {
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        List<ValueInfoProto> inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        if (inputs.Count != 1 || inputs[0].Name != InputName)
        {
            throw new ModelFormatException(source,
                $"the model must have one input named '{InputName}', but it has {inputs.Count}: {string.Join(", ", inputs.Select(i => $"'{i.Name}'"))}.");
        }
        if (!IsFloatTensor(inputs[0], out IReadOnlyList<long?> shape) || shape.Count != 4 || shape[0] is not null and <= 0
            || shape[1] != 1 || shape[2] != ImageSize || shape[3] != ImageSize)
        {
            throw new ModelFormatException(source,
                $"input '{InputName}' must be float [batch, 1, {ImageSize}, {ImageSize}], but it is {Describe(inputs[0])}.");
        }
    }

    private static void CheckProbabilities(GraphProto graph, int classCount, string source)
    {
        ValueInfoProto? output = graph.Output.FirstOrDefault(o => o.Name == ProbabilitiesName)
            ?? throw new ModelFormatException(source, $"the model has no output named '{ProbabilitiesName}' (outputs: {string.Join(", ", graph.Output.Select(o => $"'{o.Name}'"))}).");
        if (!IsFloatTensor(output, out IReadOnlyList<long?> shape) || shape.Count != 2 || shape[1] != classCount)
        {
            throw new ModelFormatException(source,
                $"output '{ProbabilitiesName}' must be float [batch, {classCount}] (one probability per class of '{OnnxMetadataKeys.Classes}'), but it is {Describe(output)}.");
        }
    }

    /// <summary>True for a float tensor with a known rank; <paramref name="shape"/> has null for symbolic dimensions.</summary>
    public static bool IsFloatTensor(ValueInfoProto value, out IReadOnlyList<long?> shape)
    {
        shape = [];
        if (value.Type?.TensorType is not { } tensor || tensor.ElemType != (int)TensorProto.Types.DataType.Float || tensor.Shape is null)
            return false;
        shape = tensor.Shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : (long?)null).ToList();
        return true;
    }

    public static string Describe(ValueInfoProto value)
    {
        if (value.Type?.TensorType is not { } tensor)
            return "not a tensor";
        string type = Enum.IsDefined((TensorProto.Types.DataType)tensor.ElemType)
            ? ((TensorProto.Types.DataType)tensor.ElemType).ToString().ToLowerInvariant()
            : $"element type {tensor.ElemType}";
        if (tensor.Shape is null)
            return $"{type} of unknown shape";
        IEnumerable<string> dims = tensor.Shape.Dim.Select(d => d.ValueCase switch
        {
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => d.DimValue.ToString(CultureInfo.InvariantCulture),
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => d.DimParam,
            _ => "?",
        });
        return $"{type} [{string.Join(", ", dims)}]";
    }
}

/// <summary>What <see cref="OnnxFormat.Read"/> found in a valid model.</summary>
internal sealed record OnnxModelDescription(string[] ClassNames, IReadOnlyDictionary<string, string> Metadata, long Opset, long IrVersion);
