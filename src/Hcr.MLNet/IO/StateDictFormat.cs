using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.IO;

/// <summary>
/// Reads weights in the layout TorchSharp's <c>Module.save</c> writes: the tensor count, then for each tensor its
/// name (a <see cref="BinaryWriter"/> string), element type, rank and sizes (unsigned LEB128) and its raw bytes.
/// </summary>
/// <remarks>
/// TorchSharp's own <c>Module.load</c> trusts the counts it reads: a damaged rank allocates whatever it says
/// before anything is compared, and a damaged length ends in an overflow. This reader compares every tensor with
/// the network it loads into as soon as the tensor's header is read, so that the only sizes it acts on are the
/// network's own, and it refuses weights that are not finite: such a model would predict nothing.
/// </remarks>
internal static class StateDictFormat
{
    /// <summary>
    /// Loads the weights and buffers of <paramref name="module"/> (any device) from <paramref name="reader"/>;
    /// <paramref name="part"/> names what they are in errors ("network", "best weights").
    /// </summary>
    /// <exception cref="ModelFormatException">The tensors are not this network's, are truncated, or hold NaN or infinities.</exception>
    public static void Load(BinaryReader reader, nn.Module module, string source, string part)
    {
        Dictionary<string, Tensor> expected = module.state_dict();
        long count = BoundedRead.Leb128(reader, source, $"the {part}'s tensor count");
        if (count != expected.Count)
            throw new ModelFormatException(source, $"the {part} holds {count} tensors where the network has {expected.Count}; the file is corrupt or holds another network.");
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        using var noGrad = torch.no_grad();
        for (long i = 0; i < count; i++)
        {
            string name = BoundedRead.String(reader, source, $"the name of {part} tensor {i}");
            if (!expected.TryGetValue(name, out Tensor? target))
                throw new ModelFormatException(source, $"the {part} holds a tensor '{name}' that the network does not have; the file is corrupt or holds another network.");
            if (!loaded.Add(name))
                throw new ModelFormatException(source, $"the {part} holds tensor '{name}' twice; the file is corrupt.");
            ReadInto(reader, target, source, $"{part} tensor '{name}'");
        }
    }

    private static void ReadInto(BinaryReader reader, Tensor target, string source, string what)
    {
        long type = BoundedRead.Leb128(reader, source, $"the element type of {what}");
        if (type != (long)target.dtype)
            throw new ModelFormatException(source, $"{what} holds elements of type {TypeName(type)} where the network's are {target.dtype}; the file is corrupt or holds another network.");
        long rank = BoundedRead.Leb128(reader, source, $"the rank of {what}");
        if (rank > ModelFormats.MaxTensorRank)
            throw new ModelFormatException(source, $"{what} claims {rank} dimensions (at most {ModelFormats.MaxTensorRank} are possible); the file is corrupt.");
        var shape = new long[rank];
        for (int d = 0; d < rank; d++)
            shape[d] = BoundedRead.Leb128(reader, source, $"size {d} of {what}");
        if (!shape.AsSpan().SequenceEqual(target.shape))
            throw new ModelFormatException(source, $"{what} has shape {SafetensorsFile.FormatShape(shape)} where the network's is {SafetensorsFile.FormatShape(target.shape)}; the file is corrupt or holds another network.");

        // The byte count is the network's own (the shape matched), so it cannot overflow or be absurd.
        byte[] bytes = BoundedRead.Bytes(reader, checked((int)(target.numel() * target.ElementSize)), source);
        using Tensor values = torch.empty(target.shape, target.dtype);
        values.bytes = bytes;
        if (values.is_floating_point())
        {
            using var scope = torch.NewDisposeScope();
            long bad = values.numel() - values.isfinite().sum().item<long>();
            if (bad > 0)
            {
                throw new ModelFormatException(source,
                    $"{what} holds {bad} NaN or infinite value(s) of {values.numel()}; the model diverged in training or the file is corrupt.");
            }
        }
        target.copy_(values);
    }

    private static string TypeName(long type) =>
        type is >= 0 and <= sbyte.MaxValue && Enum.IsDefined((ScalarType)(sbyte)type)
            ? ((ScalarType)(sbyte)type).ToString()
            : $"code {type.ToString(CultureInfo.InvariantCulture)}";
}
