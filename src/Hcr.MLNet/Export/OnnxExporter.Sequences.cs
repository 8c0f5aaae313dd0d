using Hcr.MLNet.Onnx.Proto;
using Hcr.MLNet.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hcr.MLNet.Export;

/// <summary>
/// The exporter's second layout: networks that read a strip of any width and give one class distribution per
/// column position (the text reader's line network). They are written with the same nodes, initializers, batch norm
/// folding and checks as the character graph; only the walk differs, so the network's owner drives it through these
/// steps instead of <see cref="Export"/>. The width is symbolic in the graph (<see cref="OnnxFormat.WidthDimension"/>);
/// the shapes tracked here are those of a representative width, for the same layer-by-layer checks.
/// </summary>
/// <remarks>
/// Everything stays four-dimensional until the end, so that no Reshape needs a size computed at run time: a dense
/// layer over each column's features is a convolution as tall as the map and one column wide, a 1-D convolution
/// along the width is a 2-D one on a map one row high.
/// </remarks>
internal sealed partial class OnnxExporter
{
    /// <summary>Starts a sequence graph whose input <c>pixels</c> is <c>[batch, channels, height, width]</c> floats.</summary>
    public static (OnnxExporter Exporter, Value Input) BeginSequence(string graphName, string description, long channels, long height, long representativeWidth)
    {
        var exporter = new OnnxExporter();
        exporter._graph.Name = graphName;
        exporter._graph.DocString = description;
        exporter._graph.Input.Add(TensorInfo(OnnxFormat.InputName, TensorProto.Types.DataType.Float,
            [Batch(), Fixed(channels), Fixed(height), Symbolic(OnnxFormat.WidthDimension)]));
        return (exporter, Value.Image(OnnxFormat.InputName, channels, height, representativeWidth));
    }

    /// <summary>The layers of <paramref name="module"/> (a <c>Sequential</c> of the layers <see cref="Export"/> knows), in order.</summary>
    public Value Layers(string path, nn.Module module, Value x)
    {
        using (NewDisposeScope())
        using (no_grad())
            return EmitModule(path, module, x);
    }

    /// <summary>
    /// A dense layer applied to each column of the map: its input features are the column's channels × rows in
    /// channel-major order (what <c>permute(0, 3, 1, 2).reshape(n, t, c·h)</c> gives in TorchSharp), so its weights,
    /// [out, c·h], are those of a convolution [out, c, h, 1] over the whole height, laid out alike.
    /// </summary>
    public Value ColumnDense(string path, Linear linear, Value x)
    {
        RequireImage(path, linear, x);
        if (linear.in_features != x.Channels * x.Height)
            throw new InvalidOperationException($"Layer '{path}' (Linear) expects {linear.in_features} features but each column of {x} has {x.Channels * x.Height}.");
        float[] weight = Floats(linear.weight!);
        string name = Unique(path);
        var inputs = new List<string> { x.Name, Initializer(name + ".weight", weight, [linear.out_features, x.Channels, x.Height, 1]) };
        if (linear.bias is not null)
            inputs.Add(Initializer(name + ".bias", Floats(linear.bias), [linear.out_features]));
        _graph.Node.Add(Node("Conv", name, inputs, [name],
            Ints("kernel_shape", [x.Height, 1]), Ints("strides", [1, 1]), Ints("pads", [0, 0, 0, 0]), Ints("dilations", [1, 1]), Int("group", 1)));
        return Value.Image(name, linear.out_features, 1, x.Width);
    }

    /// <summary>
    /// A 1-D convolution along the width (with the batch norm after it folded in), on a map one row high: a 2-D
    /// convolution of kernel 1 × k. Only zero padding, stride 1 and explicit padding are written, which keep the width.
    /// </summary>
    public Value RowConvolution(string path, Conv1d conv, BatchNorm1d? norm, string? normPath, Value x)
    {
        RequireImage(path, conv, x);
        if (x.Height != 1)
            throw new InvalidOperationException($"Layer '{path}' (Conv1d) reads along the width of a map one row high, not {x}.");
        if (conv.in_channels != x.Channels)
            throw new InvalidOperationException($"Layer '{path}' (Conv1d) expects {conv.in_channels} input channels but receives {x}.");
        long kernel = conv.kernel_size[0];
        long padding = conv.padding is { Length: > 0 } p ? p[0] : 0;
        if (conv.transposed || conv.padding_mode != PaddingModes.Zeros || conv.padding_type is not null || conv.groups != 1
            || conv.stride is { Length: > 0 } s && s[0] != 1 || conv.dilation is { Length: > 0 } d && d[0] != 1 || 2 * padding != kernel - 1)
        {
            throw Unsupported(path, conv, "only a zero-padded, stride-1, undilated, ungrouped Conv1d that keeps the width is exported");
        }
        float[] weight;
        float[]? bias;
        using (NewDisposeScope())
        {
            weight = Floats(conv.weight!);
            bias = conv.bias is null ? null : Floats(conv.bias);
        }
        long outChannels = conv.out_channels;
        if (norm is not null)
        {
            if (norm.num_features != outChannels)
                throw new InvalidOperationException($"Layer '{normPath}' (BatchNorm1d) normalizes {norm.num_features} channels but '{path}' gives {outChannels}.");
            (weight, bias) = FoldBatchNorm(normPath!, norm, weight, bias, outChannels);
        }
        string name = Unique(path);
        var inputs = new List<string> { x.Name, Initializer(name + ".weight", weight, [outChannels, conv.in_channels, 1, kernel]) };
        if (bias is not null)
            inputs.Add(Initializer(name + ".bias", bias, [outChannels]));
        _graph.Node.Add(Node("Conv", name, inputs, [name],
            Ints("kernel_shape", [1, kernel]), Ints("strides", [1, 1]), Ints("pads", [0, padding, 0, padding]), Ints("dilations", [1, 1]), Int("group", 1)));
        return Value.Image(name, outChannels, 1, x.Width);
    }

    /// <summary>A ReLU.</summary>
    public Value Relu(string path, Value x) => Unary("Relu", path, x);

    /// <summary>The element-wise sum of two values of the same shape (a residual connection).</summary>
    public Value Sum(string path, Value a, Value b)
    {
        if (a != b with { Name = a.Name })
            throw new InvalidOperationException($"'{path}': {a} and {b} cannot be added.");
        return a with { Name = Add("Add", path, [a.Name, b.Name]) };
    }

    /// <summary>
    /// Ends the graph: class scores <c>[batch, classes, 1, width]</c> → output <c>probabilities</c>
    /// <c>[batch, width, classes]</c>, a softmax over the classes at each position.
    /// </summary>
    public void ColumnProbabilities(Value scores)
    {
        if (!scores.IsImage || scores.Height != 1)
            throw new InvalidOperationException($"The class scores must be one row of positions, not {scores}.");
        string positionsLast = Unique("probabilities.by_position");
        _graph.Node.Add(Node("Transpose", positionsLast, [scores.Name], [positionsLast], Ints("perm", [0, 2, 3, 1])));
        string softmax = Unique("probabilities.softmax");
        _graph.Node.Add(Node("Softmax", softmax, [positionsLast], [softmax], Int("axis", 3)));
        string axes = Int64Initializer("probabilities.row_axis", [1], [1]);
        _graph.Node.Add(Node("Squeeze", OnnxFormat.ProbabilitiesName, [softmax, axes], [OnnxFormat.ProbabilitiesName]));
        _graph.Output.Add(TensorInfo(OnnxFormat.ProbabilitiesName, TensorProto.Types.DataType.Float,
            [Batch(), Symbolic(OnnxFormat.PositionsDimension), Fixed(scores.Channels)]));
    }

    /// <summary>The sealed model of the graph, with <paramref name="metadata"/> (Hcr.MLNet's reserved keys) after the format version.</summary>
    public ModelProto Finish(string docString, IEnumerable<(string Key, string Value)> metadata)
    {
        ModelProto model = Model(docString);
        foreach ((string key, string value) in metadata)
            AddMetadata(model, key, value);
        OnnxFormat.Seal(model);
        return model;
    }

    private static TensorShapeProto.Types.Dimension Fixed(long size) => new() { DimValue = size };

    private static TensorShapeProto.Types.Dimension Batch() => Symbolic(OnnxFormat.BatchDimension);

    private static TensorShapeProto.Types.Dimension Symbolic(string name) => new() { DimParam = name };

    private static ValueInfoProto TensorInfo(string name, TensorProto.Types.DataType type, IEnumerable<TensorShapeProto.Types.Dimension> dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dims);
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
