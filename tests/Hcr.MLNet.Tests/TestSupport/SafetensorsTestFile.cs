using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>One tensor as a safetensors file stores it.</summary>
internal sealed record StoredTensor(string DType, long[] Shape, byte[] Data);

/// <summary>
/// An independent reading of the safetensors format as its specification states it (8-byte
/// little-endian header length, JSON header, raw little-endian data), written here rather than taken
/// from the library so that the tests check the library's files against the format, not against itself.
/// It also writes files the way Python's <c>safetensors.torch.save_file</c> does (tensors ordered by
/// dtype size, largest first, then by name; header padded with spaces to 8 bytes), to stand in for
/// files made by PyTorch.
/// </summary>
internal sealed class SafetensorsTestFile
{
    private SafetensorsTestFile(ulong headerLength, string headerText, List<(string Name, string DType, long[] Shape, long Begin, long End)> entries,
        Dictionary<string, string>? metadata, byte[] data)
    {
        HeaderLength = headerLength;
        HeaderText = headerText;
        Entries = entries;
        Metadata = metadata;
        Data = data;
    }

    public ulong HeaderLength { get; }

    public string HeaderText { get; }

    /// <summary>The tensors in header order.</summary>
    public IReadOnlyList<(string Name, string DType, long[] Shape, long Begin, long End)> Entries { get; }

    public Dictionary<string, string>? Metadata { get; }

    /// <summary>The data section: everything after the header.</summary>
    public byte[] Data { get; }

    public static int ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" => 8,
        "F32" or "I32" => 4,
        "F16" or "BF16" => 2,
        _ => throw new NotSupportedException(dtype),
    };

    public static SafetensorsTestFile Parse(byte[] file)
    {
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file);
        string text = Encoding.UTF8.GetString(file, 8, checked((int)length));
        using JsonDocument header = JsonDocument.Parse(text);
        var entries = new List<(string, string, long[], long, long)>();
        Dictionary<string, string>? metadata = null;
        foreach (JsonProperty property in header.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__")
            {
                metadata = property.Value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
                continue;
            }
            long[] offsets = property.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            Assert.Equal(2, offsets.Length);
            entries.Add((property.Name, property.Value.GetProperty("dtype").GetString()!,
                property.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray(), offsets[0], offsets[1]));
        }
        return new SafetensorsTestFile(length, text, entries, metadata, file[(8 + (int)length)..]);
    }

    public static SafetensorsTestFile Read(string path) => Parse(File.ReadAllBytes(path));

    /// <summary>The tensors by name.</summary>
    public Dictionary<string, StoredTensor> Tensors() =>
        Entries.ToDictionary(e => e.Name, e => new StoredTensor(e.DType, e.Shape, Data[(int)e.Begin..(int)e.End]));

    /// <summary>A file as Python's safetensors writes it.</summary>
    public static byte[] Write(IReadOnlyDictionary<string, StoredTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var ordered = tensors.OrderByDescending(t => ElementSize(t.Value.DType)).ThenBy(t => t.Key, StringComparer.Ordinal).ToList();
        var header = new Dictionary<string, object>();
        if (metadata is not null)
            header["__metadata__"] = metadata;
        long offset = 0;
        foreach ((string name, StoredTensor tensor) in ordered)
        {
            header[name] = new Dictionary<string, object> { ["dtype"] = tensor.DType, ["shape"] = tensor.Shape, ["data_offsets"] = new[] { offset, offset + tensor.Data.Length } };
            offset += tensor.Data.Length;
        }
        return WriteRaw(JsonSerializer.Serialize(header), ordered.SelectMany(t => t.Value.Data).ToArray());
    }

    /// <summary>A file with exactly this header (padded with spaces to 8 bytes) and data section.</summary>
    public static byte[] WriteRaw(string headerJson, byte[] data)
    {
        byte[] json = Encoding.UTF8.GetBytes(headerJson);
        int padded = (json.Length + 7) / 8 * 8;
        var file = new byte[8 + padded + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)padded);
        json.CopyTo(file, 8);
        file.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        data.CopyTo(file, 8 + padded);
        return file;
    }
}
