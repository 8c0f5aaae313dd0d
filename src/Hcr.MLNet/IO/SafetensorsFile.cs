using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hcr.MLNet.IO;

/// <summary>One tensor's entry in a safetensors header: its dtype, shape, and byte range within the data section.</summary>
internal sealed record SafetensorsEntry(string Name, string DType, long[] Shape, long Begin, long End)
{
    public string ShapeText => SafetensorsFile.FormatShape(Shape);
}

/// <summary>
/// The safetensors layout (https://github.com/huggingface/safetensors): an 8-byte little-endian
/// header length N, N bytes of a JSON object (tensor name → dtype, shape, data_offsets; optionally
/// <c>__metadata__</c>, string → string), then the tensors' raw little-endian bytes, the offsets
/// counting from the end of the header. TorchSharp.PyBridge writes and loads the tensors; this class
/// reads and checks a header completely before anything is loaded (PyBridge trusts the file, and its
/// only error for a mismatch is "not identical to the target dictionary"), and adds the metadata
/// PyBridge cannot write.
/// </summary>
internal static class SafetensorsFile
{
    public const string MetadataKey = "__metadata__";

    /// <summary>The largest header the reference implementation accepts; anything bigger is not a safetensors file.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const int LengthBytes = 8;

    /// <summary>
    /// JSON with non-ASCII text as UTF-8 and quotes as <c>\"</c>, as Python's <c>json.dumps(..., ensure_ascii=False)</c>
    /// writes it; the default <c>\uXXXX</c> escapes guard against embedding in HTML, which does not apply to this file.
    /// </summary>
    public static JsonSerializerOptions JsonOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly Dictionary<string, int> ElementSizes = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E5M2"] = 1, ["F8_E4M3"] = 1,
        ["I16"] = 2, ["U16"] = 2, ["F16"] = 2, ["BF16"] = 2,
        ["I32"] = 4, ["U32"] = 4, ["F32"] = 4,
        ["I64"] = 8, ["U64"] = 8, ["F64"] = 8,
    };

    public static string FormatShape(IEnumerable<long> shape) => "[" + string.Join(",", shape) + "]";

    /// <summary>The safetensors name of a TorchSharp element type, or null for one safetensors has no name for.</summary>
    public static string? DTypeOf(TorchSharp.torch.ScalarType type) => type switch
    {
        TorchSharp.torch.ScalarType.Bool => "BOOL",
        TorchSharp.torch.ScalarType.Byte => "U8",
        TorchSharp.torch.ScalarType.Int8 => "I8",
        TorchSharp.torch.ScalarType.Int16 => "I16",
        TorchSharp.torch.ScalarType.Float16 => "F16",
        TorchSharp.torch.ScalarType.BFloat16 => "BF16",
        TorchSharp.torch.ScalarType.Int32 => "I32",
        TorchSharp.torch.ScalarType.Float32 => "F32",
        TorchSharp.torch.ScalarType.Int64 => "I64",
        TorchSharp.torch.ScalarType.Float64 => "F64",
        _ => null,
    };

    /// <summary>
    /// Reads and checks the header of a whole safetensors file: the JSON, every entry's dtype, shape
    /// and byte range (which must tile the data section exactly, as the reference reader requires).
    /// </summary>
    /// <exception cref="ModelFormatException">Not a safetensors file, truncated, or malformed; the message says which and where.</exception>
    public static (IReadOnlyList<SafetensorsEntry> Entries, IReadOnlyDictionary<string, string> Metadata) ReadHeader(ReadOnlySpan<byte> file, string source)
    {
        if (file.Length < LengthBytes)
            throw new ModelFormatException(source, $"not a safetensors file: it is {file.Length} bytes long, shorter than the 8-byte header length a safetensors file starts with.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (headerLength is 0 or > MaxHeaderBytes)
            throw new ModelFormatException(source, $"not a safetensors file: its first 8 bytes give a header length of {headerLength} bytes.");
        long available = file.Length - LengthBytes;
        if ((long)headerLength > available)
            throw new ModelFormatException(source, $"the file is truncated: its header is {headerLength} bytes long but only {available} bytes follow the header length.");
        ReadOnlySpan<byte> header = file.Slice(LengthBytes, (int)headerLength);
        // The format requires the header to open with '{'; checking that first keeps binary files from reaching the JSON parser.
        if (header[0] != (byte)'{')
            throw new ModelFormatException(source, "not a safetensors file: its header is not a JSON object.");

        var entries = new List<SafetensorsEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(header);
            using JsonDocument document = JsonDocument.ParseValue(ref reader);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                // JSON allows repeated names; which one a reader keeps is unspecified, so refuse the file.
                if (!names.Add(property.Name))
                    throw Malformed(source, $"'{property.Name}' appears twice.");
                if (property.Name == MetadataKey)
                    ReadMetadata(property.Value, metadata, source);
                else
                    entries.Add(ReadEntry(property, source));
            }
            // Only padding may follow the JSON object.
            if (!header[(int)reader.BytesConsumed..].TrimEnd((byte)' ').IsEmpty)
                throw Malformed(source, "bytes other than space padding follow the JSON object.");
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(source, $"the header is not valid JSON ({e.Message})", e);
        }
        CheckDataSection(entries, available - (long)headerLength, source);
        return (entries, metadata);
    }

    /// <summary>
    /// The names of the floating-point tensors (F16, BF16, F32, F64) of a file whose header <see cref="ReadHeader"/> has checked
    /// that hold a NaN or an infinity: such weights come from a training that diverged, and a network that loads them
    /// answers NaN (or one class at 100%) for every image.
    /// </summary>
    public static IEnumerable<string> NonFiniteTensors(byte[] file, IReadOnlyList<SafetensorsEntry> entries)
    {
        long start = DataStart(file);
        foreach (SafetensorsEntry entry in entries)
        {
            if (!AllFinite(file.AsSpan((int)(start + entry.Begin), (int)(entry.End - entry.Begin)), entry.DType))
                yield return entry.Name;
        }
    }

    // Little-endian, as the format stores every value.
    private static bool AllFinite(ReadOnlySpan<byte> data, string dtype)
    {
        switch (dtype)
        {
            case "F16":
                for (int i = 0; i + 2 <= data.Length; i += 2)
                {
                    if (!Half.IsFinite(BinaryPrimitives.ReadHalfLittleEndian(data[i..])))
                        return false;
                }
                return true;
            case "BF16":
                // bfloat16 is the upper half of a float32: all exponent bits set means NaN or infinity.
                for (int i = 0; i + 2 <= data.Length; i += 2)
                {
                    if ((BinaryPrimitives.ReadUInt16LittleEndian(data[i..]) & 0x7F80) == 0x7F80)
                        return false;
                }
                return true;
            case "F32":
                for (int i = 0; i + 4 <= data.Length; i += 4)
                {
                    if (!float.IsFinite(BinaryPrimitives.ReadSingleLittleEndian(data[i..])))
                        return false;
                }
                return true;
            case "F64":
                for (int i = 0; i + 8 <= data.Length; i += 8)
                {
                    if (!double.IsFinite(BinaryPrimitives.ReadDoubleLittleEndian(data[i..])))
                        return false;
                }
                return true;
            default:
                return true;
        }
    }

    /// <summary>Where the data section starts in a file whose first 8 bytes give its header length.</summary>
    public static long DataStart(ReadOnlySpan<byte> file) => LengthBytes + (long)BinaryPrimitives.ReadUInt64LittleEndian(file);

    /// <summary>
    /// <paramref name="file"/> (a safetensors file) with <paramref name="metadata"/> as its <c>__metadata__</c>, first in the
    /// header, and the header padded with spaces so that the data section starts 8-byte aligned, as the reference writer does.
    /// The tensors' entries and bytes are kept as they are.
    /// </summary>
    public static byte[] WithMetadata(ReadOnlySpan<byte> file, IReadOnlyList<KeyValuePair<string, string>> metadata)
    {
        long dataStart = DataStart(file);
        JsonObject tensors = JsonNode.Parse(file[LengthBytes..(int)dataStart])?.AsObject()
            ?? throw new InvalidOperationException("The safetensors header is not a JSON object.");
        var values = new JsonObject();
        foreach (KeyValuePair<string, string> pair in metadata)
            values[pair.Key] = pair.Value;
        var header = new JsonObject { [MetadataKey] = values };
        foreach (KeyValuePair<string, JsonNode?> entry in tensors.Where(e => e.Key != MetadataKey).ToList())
        {
            tensors.Remove(entry.Key);
            header[entry.Key] = entry.Value;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString(JsonOptions));
        int padded = (json.Length + 7) / 8 * 8;
        ReadOnlySpan<byte> data = file[(int)dataStart..];
        var result = new byte[LengthBytes + padded + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)padded);
        json.CopyTo(result.AsSpan(LengthBytes));
        result.AsSpan(LengthBytes + json.Length, padded - json.Length).Fill((byte)' ');
        data.CopyTo(result.AsSpan(LengthBytes + padded));
        return result;
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string source)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Malformed(source, $"{MetadataKey} is not an object of strings.");
        foreach (JsonProperty pair in value.EnumerateObject())
        {
            if (pair.Value.ValueKind != JsonValueKind.String)
                throw Malformed(source, $"{MetadataKey} entry '{pair.Name}' is not a string.");
            if (!metadata.TryAdd(pair.Name, pair.Value.GetString()!))
                throw Malformed(source, $"{MetadataKey} entry '{pair.Name}' appears twice.");
        }
    }

    private static SafetensorsEntry ReadEntry(JsonProperty property, string source)
    {
        string name = property.Name;
        JsonElement value = property.Value;
        if (value.ValueKind != JsonValueKind.Object)
            throw Malformed(source, $"tensor '{name}' is not described by an object.");
        if (!value.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Malformed(source, $"tensor '{name}' has no dtype.");
        string dtype = dtypeElement.GetString()!;
        if (!ElementSizes.TryGetValue(dtype, out int elementSize))
            throw Malformed(source, $"tensor '{name}' has the unknown dtype '{dtype}'.");
        long[] shape = ReadIntegers(value, "shape", name, source);
        long[] offsets = ReadIntegers(value, "data_offsets", name, source);
        if (offsets.Length != 2 || offsets[0] > offsets[1])
            throw Malformed(source, $"tensor '{name}' has data_offsets {FormatShape(offsets)}, not [begin,end] with begin <= end.");
        // Int128: a hostile shape must not overflow into a plausible byte count.
        Int128 bytes = elementSize;
        foreach (long size in shape)
            bytes = Int128.Min(bytes * size, long.MaxValue);
        if (bytes != offsets[1] - offsets[0])
            throw Malformed(source, $"tensor '{name}' ({dtype}, shape {FormatShape(shape)}) needs {bytes} bytes but data_offsets {FormatShape(offsets)} give {offsets[1] - offsets[0]}.");
        return new SafetensorsEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] ReadIntegers(JsonElement value, string field, string name, string source)
    {
        if (!value.TryGetProperty(field, out JsonElement array) || array.ValueKind != JsonValueKind.Array)
            throw Malformed(source, $"tensor '{name}' has no {field} array.");
        var result = new long[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long number) || number < 0)
                throw Malformed(source, $"tensor '{name}' has a {field} entry that is not a non-negative integer ({item.GetRawText()}).");
            result[i++] = number;
        }
        return result;
    }

    private static void CheckDataSection(List<SafetensorsEntry> entries, long dataLength, string source)
    {
        long needed = entries.Count == 0 ? 0 : entries.Max(e => e.End);
        if (needed > dataLength)
        {
            SafetensorsEntry last = entries.First(e => e.End == needed);
            throw new ModelFormatException(source,
                $"the file is truncated: tensor '{last.Name}' ends {needed} bytes into the data section, which has only {dataLength} bytes.");
        }
        long position = 0;
        SafetensorsEntry? previous = null;
        foreach (SafetensorsEntry entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin != position)
            {
                string after = previous is null ? "the start of the data section" : $"tensor '{previous.Name}' (which ends at byte {position})";
                string problem = entry.Begin < position ? "overlaps" : "leaves a gap after";
                throw Malformed(source, $"tensor '{entry.Name}' (data_offsets [{entry.Begin},{entry.End}]) {problem} {after}.");
            }
            position = entry.End;
            previous = entry;
        }
        if (position != dataLength)
            throw Malformed(source, $"{dataLength - position} bytes follow the last tensor's data.");
    }

    private static ModelFormatException Malformed(string source, string problem) =>
        new(source, "the safetensors header is malformed: " + problem);
}
