using System.Buffers.Binary;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using Google.Protobuf;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Onnx.Proto;
using Hcr.MLNet.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hcr.MLNet.Export;

/// <summary>
/// Turns a trained TorchSharp network into an ONNX model (IR 8, opset 17) with inference semantics:
/// batch norm uses its running statistics and is folded into the convolution or dense layer it
/// follows, dropout is removed. The graph takes <c>pixels</c> <c>[batch, 1, 28, 28]</c> floats and
/// gives <c>probabilities</c> <c>[batch, classes]</c> (softmax, averaged over the test-time views
/// when there are any, as TorchSharp scoring averages them) and <c>predicted_class</c>
/// <c>[batch]</c> (int64). The walk follows the layers' order (through nested <c>Sequential</c>s and
/// <see cref="ResidualBlock"/>s) and tracks the value's shape, so that a layer that does not fit its
/// input, or a layer the exporter does not know, fails the export with its name and type before
/// anything is written.
/// </summary>
internal sealed partial class OnnxExporter
{
    private readonly GraphProto _graph = new();
    // Value and node names in use; the graph's own input and outputs are taken from the start.
    private readonly HashSet<string> _names = new(StringComparer.Ordinal) { OnnxFormat.InputName, OnnxFormat.ProbabilitiesName, OnnxFormat.PredictedClassName };

    private OnnxExporter()
    {
    }

    /// <summary>A value of the graph: its name and its per-image shape (channels × height × width, or features).</summary>
    internal readonly record struct Value(string Name, long Channels, long Height, long Width, bool IsImage)
    {
        public static Value Image(string name, long channels, long height, long width) => new(name, channels, height, width, true);

        public static Value Vector(string name, long features) => new(name, features, 0, 0, false);

        public long Features => IsImage ? Channels * Height * Width : Channels;

        public override string ToString() => IsImage ? $"{Channels}x{Height}x{Width}" : $"{Channels} features";
    }

    /// <summary>Builds the sealed ONNX model of <paramref name="network"/> (a network of <see cref="CnnArchitecture.CreateNetwork"/>'s kind).</summary>
    /// <exception cref="NotSupportedException">A layer has a type, or settings, that the exporter cannot express in ONNX; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The network does not fit 28×28 images or the class count.</exception>
    /// <exception cref="ArgumentException">The caller's metadata uses a reserved key, an empty key or a null value.</exception>
    public static ModelProto Export(nn.Module<Tensor, Tensor> network, IReadOnlyList<string> classNames, string architecture, string description,
        string pixelsColumn, IReadOnlyList<double> testTimeRotations, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(testTimeRotations);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(classNames);
        CheckMetadata(metadata);

        var exporter = new OnnxExporter();
        GraphProto graph = exporter._graph;
        graph.Name = "hcr_cnn";
        graph.DocString = description;
        graph.Input.Add(TensorInfo(OnnxFormat.InputName, TensorProto.Types.DataType.Float, null, 1, OnnxFormat.ImageSize, OnnxFormat.ImageSize));

        var input = Value.Image(OnnxFormat.InputName, 1, OnnxFormat.ImageSize, OnnxFormat.ImageSize);
        Value logits;
        using (torch.NewDisposeScope())
        using (torch.no_grad())
        {
            Value views = exporter.EmitViews(input, testTimeRotations);
            logits = exporter.EmitModule(network is Sequential ? "" : network.GetName(), network, views);
        }
        if (logits.IsImage || logits.Features != classNames.Count)
            throw new InvalidOperationException($"The network outputs {logits} per image, but the model has {classNames.Count} classes; the last layer must give one value per class.");

        if (testTimeRotations.Count == 0)
        {
            graph.Node.Add(Node("Softmax", OnnxFormat.ProbabilitiesName, [logits.Name], [OnnxFormat.ProbabilitiesName], Int("axis", 1)));
        }
        else
        {
            string viewProbabilities = exporter.Unique("view_probabilities");
            graph.Node.Add(Node("Softmax", viewProbabilities, [logits.Name], [viewProbabilities], Int("axis", 1)));
            exporter.EmitViewAverage(viewProbabilities, 1 + testTimeRotations.Count, classNames.Count);
        }
        graph.Node.Add(Node("ArgMax", OnnxFormat.PredictedClassName, [OnnxFormat.ProbabilitiesName], [OnnxFormat.PredictedClassName], Int("axis", 1), Int("keepdims", 0)));
        graph.Output.Add(TensorInfo(OnnxFormat.ProbabilitiesName, TensorProto.Types.DataType.Float, null, classNames.Count));
        graph.Output.Add(TensorInfo(OnnxFormat.PredictedClassName, TensorProto.Types.DataType.Int64, [(long?)null]));

        ModelProto model = exporter.Model($"Handwritten character recognition CNN ({architecture}): {description}");
        AddMetadata(model, OnnxMetadataKeys.Architecture, architecture);
        AddMetadata(model, OnnxMetadataKeys.Classes, JsonSerializer.Serialize(classNames));
        AddMetadata(model, OnnxMetadataKeys.PixelsColumn, pixelsColumn);
        AddMetadata(model, OnnxMetadataKeys.TestTimeRotations, JsonSerializer.Serialize(testTimeRotations));
        AddMetadata(model, OnnxMetadataKeys.Input,
            $"'{OnnxFormat.InputName}': float [batch, 1, {OnnxFormat.ImageSize}, {OnnxFormat.ImageSize}], grey pixels scaled to 0..1, row-major, as the network was trained on");
        if (metadata is not null)
        {
            foreach (KeyValuePair<string, string> entry in metadata.OrderBy(e => e.Key, StringComparer.Ordinal))
                AddMetadata(model, entry.Key, entry.Value);
        }
        OnnxFormat.Seal(model);
        return model;
    }

    /// <summary>The model around the graph built so far: versions, producer, operator set, and the format version in its metadata.</summary>
    private ModelProto Model(string docString)
    {
        var model = new ModelProto
        {
            IrVersion = OnnxFormat.IrVersion,
            ProducerName = "Hcr.MLNet",
            ProducerVersion = ProducerVersion(),
            Domain = "hcr.mlnet",
            ModelVersion = OnnxFormat.FormatVersion,
            DocString = docString,
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxFormat.Opset });
        AddMetadata(model, OnnxMetadataKeys.FormatVersion, OnnxFormat.FormatVersion.ToString(CultureInfo.InvariantCulture));
        return model;
    }

    private static void CheckMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
            return;
        foreach (KeyValuePair<string, string> entry in metadata)
        {
            if (string.IsNullOrEmpty(entry.Key))
                throw new ArgumentException("Metadata keys must not be empty.", nameof(metadata));
            if (OnnxMetadataKeys.Reserved.Contains(entry.Key))
                throw new ArgumentException($"Metadata key '{entry.Key}' is reserved; Hcr.MLNet writes it itself.", nameof(metadata));
            if (entry.Value is null)
                throw new ArgumentException($"Metadata key '{entry.Key}' has a null value.", nameof(metadata));
        }
    }

    private static void AddMetadata(ModelProto model, string key, string value) =>
        model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });

    private static string ProducerVersion()
    {
        Assembly assembly = typeof(OnnxExporter).Assembly;
        string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "0";
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }

    // ---------------------------------------------------------------- the walk

    private Value EmitModule(string path, nn.Module module, Value x) => module switch
    {
        Sequential sequential => EmitSequence(sequential.named_children().Select(c => (Join(path, c.name), c.module)).ToList(), x),
        _ => EmitSequence([(path, module)], x),
    };

    /// <summary>Emits layers in order, folding a batch norm into the convolution or dense layer right before it.</summary>
    private Value EmitSequence(List<(string Path, nn.Module Module)> layers, Value x)
    {
        // A memory-order change is nothing in ONNX, and skipping it lets a batch norm after it fold into the convolution before it.
        layers = layers.Where(layer => layer.Module is not ChannelsLast).ToList();
        for (int i = 0; i < layers.Count; i++)
        {
            (string path, nn.Module module) = layers[i];
            nn.Module? next = i + 1 < layers.Count ? layers[i + 1].Module : null;
            switch (module)
            {
                case Sequential:
                    x = EmitModule(path, module, x);
                    break;
                case Conv2d conv:
                    if (next is BatchNorm2d convNorm)
                    {
                        x = EmitConv(path, conv, convNorm, layers[i + 1].Path, x);
                        i++;
                    }
                    else
                    {
                        x = EmitConv(path, conv, null, null, x);
                    }
                    break;
                case Linear linear:
                    if (next is BatchNorm1d denseNorm && x is { IsImage: false })
                    {
                        x = EmitLinear(path, linear, denseNorm, layers[i + 1].Path, x);
                        i++;
                    }
                    else
                    {
                        x = EmitLinear(path, linear, null, null, x);
                    }
                    break;
                case BatchNorm1d or BatchNorm2d:
                    x = EmitBatchNorm(path, (BatchNorm)module, x);
                    break;
                case ReLU:
                    x = Unary("Relu", path, x);
                    break;
                case MaxPool2d pool:
                    x = EmitMaxPool(path, pool, x);
                    break;
                case AvgPool2d pool:
                    x = EmitAvgPool(path, pool, x);
                    break;
                case AdaptiveAvgPool2d pool:
                    x = EmitAdaptiveAvgPool(path, pool, x);
                    break;
                case Flatten flatten:
                    x = EmitFlatten(path, flatten, x);
                    break;
                case Dropout or Dropout1d or Dropout2d or Identity:
                    break; // inference: the identity
                case ResidualBlock block:
                    x = EmitResidual(path, block, x);
                    break;
                default:
                    throw Unsupported(path, module, "this layer type has no ONNX translation in Hcr.MLNet " +
                        "(supported: Conv2d, BatchNorm1d/2d, Linear, ReLU, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d(1), Flatten, Dropout, Identity, ChannelsLast, Sequential, ResidualBlock)");
            }
        }
        return x;
    }

    private Value EmitResidual(string path, ResidualBlock block, Value x)
    {
        IReadOnlyList<nn.Module<Tensor, Tensor>> branch = block.Branch;
        Value y = EmitSequence([(Join(path, "conv1"), branch[0]), (Join(path, "bn1"), branch[1])], x);
        y = Unary("Relu", Join(path, "relu1"), y);
        y = EmitSequence([(Join(path, "conv2"), branch[2]), (Join(path, "bn2"), branch[3])], y);
        Value shortcut = block.Shortcut is null ? x : EmitModule(Join(path, "shortcut"), block.Shortcut, x);
        if (shortcut != y with { Name = shortcut.Name })
            throw new InvalidOperationException($"Residual block '{path}': the branch gives {y} but the shortcut gives {shortcut}; they cannot be added.");
        string sum = Add("Add", Join(path, "add"), [y.Name, shortcut.Name]);
        return Unary("Relu", Join(path, "relu"), y with { Name = sum });
    }

    private Value EmitConv(string path, Conv2d conv, BatchNorm2d? norm, string? normPath, Value x)
    {
        RequireImage(path, conv, x);
        if (conv.in_channels != x.Channels)
            throw new InvalidOperationException($"Layer '{path}' (Conv2d) expects {conv.in_channels} input channels but receives {x}.");
        if (conv.transposed)
            throw Unsupported(path, conv, "transposed convolution");
        if (conv.padding_mode != PaddingModes.Zeros)
            throw Unsupported(path, conv, $"padding mode {conv.padding_mode} (only zero padding maps to ONNX Conv)");
        long[] kernel = Pair(conv.kernel_size, 1);
        long[] stride = Pair(conv.stride, 1);
        long[] dilation = Pair(conv.dilation, 1);
        long[] pads = conv.padding_type switch
        {
            null => Pads(Pair(conv.padding, 0)),
            Padding.Valid => [0, 0, 0, 0],
            // PyTorch's 'same' (stride 1 only): the odd pixel of an even window goes after.
            Padding.Same => [dilation[0] * (kernel[0] - 1) / 2, dilation[1] * (kernel[1] - 1) / 2,
                dilation[0] * (kernel[0] - 1) - dilation[0] * (kernel[0] - 1) / 2, dilation[1] * (kernel[1] - 1) - dilation[1] * (kernel[1] - 1) / 2],
            _ => throw Unsupported(path, conv, $"padding {conv.padding_type}"),
        };

        float[] weight = Floats(conv.weight!);
        float[]? bias = conv.bias is null ? null : Floats(conv.bias);
        long outChannels = conv.out_channels;
        if (norm is not null)
        {
            if (norm.num_features != outChannels)
                throw new InvalidOperationException($"Layer '{normPath}' (BatchNorm2d) normalizes {norm.num_features} channels but '{path}' gives {outChannels}.");
            (weight, bias) = FoldBatchNorm(normPath!, norm, weight, bias, outChannels);
        }

        string name = Unique(path);
        string weightName = Initializer(name + ".weight", weight, conv.weight!.shape);
        var inputs = new List<string> { x.Name, weightName };
        if (bias is not null)
            inputs.Add(Initializer(name + ".bias", bias, [outChannels]));
        _graph.Node.Add(Node("Conv", name, inputs, [name],
            Ints("kernel_shape", kernel), Ints("strides", stride), Ints("pads", pads), Ints("dilations", dilation), Int("group", conv.groups)));

        long height = WindowCount(x.Height, kernel[0], stride[0], pads[0] + pads[2], dilation[0], false);
        long width = WindowCount(x.Width, kernel[1], stride[1], pads[1] + pads[3], dilation[1], false);
        return CheckSize(path, conv, Value.Image(name, outChannels, height, width));
    }

    private Value EmitLinear(string path, Linear linear, BatchNorm1d? norm, string? normPath, Value x)
    {
        if (x.IsImage)
            throw new InvalidOperationException($"Layer '{path}' (Linear) receives an image ({x}); put a Flatten before it.");
        if (linear.in_features != x.Features)
            throw new InvalidOperationException($"Layer '{path}' (Linear) expects {linear.in_features} features but receives {x}.");
        float[] weight = Floats(linear.weight!);
        float[]? bias = linear.bias is null ? null : Floats(linear.bias);
        long outFeatures = linear.out_features;
        if (norm is not null)
        {
            if (norm.num_features != outFeatures)
                throw new InvalidOperationException($"Layer '{normPath}' (BatchNorm1d) normalizes {norm.num_features} features but '{path}' gives {outFeatures}.");
            (weight, bias) = FoldBatchNorm(normPath!, norm, weight, bias, outFeatures);
        }

        string name = Unique(path);
        var inputs = new List<string> { x.Name, Initializer(name + ".weight", weight, [outFeatures, linear.in_features]) };
        if (bias is not null)
            inputs.Add(Initializer(name + ".bias", bias, [outFeatures]));
        // Y = X · Wᵀ + b: TorchSharp stores W as [out, in].
        _graph.Node.Add(Node("Gemm", name, inputs, [name], Int("transB", 1)));
        return Value.Vector(name, outFeatures);
    }

    private Value EmitBatchNorm(string path, BatchNorm norm, Value x)
    {
        if (norm is BatchNorm2d && !x.IsImage)
            throw new InvalidOperationException($"Layer '{path}' (BatchNorm2d) receives {x}; it normalizes images.");
        if (norm is BatchNorm1d && x.IsImage)
            throw new InvalidOperationException($"Layer '{path}' (BatchNorm1d) receives an image ({x}); use BatchNorm2d.");
        if (norm.num_features != x.Channels)
            throw new InvalidOperationException($"Layer '{path}' ({norm.GetType().Name}) normalizes {norm.num_features} channels but receives {x}.");
        (float[] scale, float[] shift, float[] mean, float[] variance, float epsilon) = NormParameters(path, norm);
        string name = Unique(path);
        long[] shape = [norm.num_features];
        _graph.Node.Add(Node("BatchNormalization", name,
            [x.Name, Initializer(name + ".weight", scale, shape), Initializer(name + ".bias", shift, shape),
                Initializer(name + ".running_mean", mean, shape), Initializer(name + ".running_var", variance, shape)],
            [name], Float("epsilon", epsilon)));
        return x with { Name = name };
    }

    private Value EmitMaxPool(string path, MaxPool2d pool, Value x)
    {
        RequireImage(path, pool, x);
        long[] kernel = Pair(pool.kernel_size, 1);
        long[] stride = Pair(pool.stride ?? pool.kernel_size, 1);
        long[] padding = Pair(pool.padding, 0);
        long[] dilation = Pair(pool.dilation, 1);
        long height = WindowCount(x.Height, kernel[0], stride[0], 2 * padding[0], dilation[0], pool.ceil_mode);
        long width = WindowCount(x.Width, kernel[1], stride[1], 2 * padding[1], dilation[1], pool.ceil_mode);
        if (pool.ceil_mode && (LastWindowStartsInPadding(height, stride[0], x.Height, padding[0]) || LastWindowStartsInPadding(width, stride[1], x.Width, padding[1])))
            throw Unsupported(path, pool, "ceil_mode with a last window that starts in the padding (PyTorch drops it, ONNX keeps it)");
        string name = Unique(path);
        var attributes = new List<AttributeProto> { Ints("kernel_shape", kernel), Ints("strides", stride), Ints("pads", Pads(padding)), Ints("dilations", dilation) };
        if (pool.ceil_mode)
            attributes.Add(Int("ceil_mode", 1));
        _graph.Node.Add(Node("MaxPool", name, [x.Name], [name], [.. attributes]));
        return CheckSize(path, pool, Value.Image(name, x.Channels, height, width));
    }

    private Value EmitAvgPool(string path, AvgPool2d pool, Value x)
    {
        RequireImage(path, pool, x);
        if (pool.divisor_override is not null)
            throw Unsupported(path, pool, "divisor_override");
        if (pool.ceil_mode)
            throw Unsupported(path, pool, "ceil_mode (PyTorch and ONNX divide partial windows differently)");
        long[] kernel = Pair(pool.kernel_size, 1);
        long[] stride = Pair(pool.stride ?? pool.kernel_size, 1);
        long[] padding = Pair(pool.padding, 0);
        string name = Unique(path);
        var attributes = new List<AttributeProto> { Ints("kernel_shape", kernel), Ints("strides", stride), Ints("pads", Pads(padding)) };
        if (pool.count_include_pad && padding.Any(p => p != 0))
            attributes.Add(Int("count_include_pad", 1));
        _graph.Node.Add(Node("AveragePool", name, [x.Name], [name], [.. attributes]));
        long height = WindowCount(x.Height, kernel[0], stride[0], 2 * padding[0], 1, false);
        long width = WindowCount(x.Width, kernel[1], stride[1], 2 * padding[1], 1, false);
        return CheckSize(path, pool, Value.Image(name, x.Channels, height, width));
    }

    private Value EmitAdaptiveAvgPool(string path, AdaptiveAvgPool2d pool, Value x)
    {
        RequireImage(path, pool, x);
        long[] size = Pair(pool.output_size, 1);
        if (size[0] != 1 || size[1] != 1)
            throw Unsupported(path, pool, $"output size {size[0]}x{size[1]} (only 1x1, global average pooling, is exported)");
        string name = Unique(path);
        _graph.Node.Add(Node("GlobalAveragePool", name, [x.Name], [name]));
        return Value.Image(name, x.Channels, 1, 1);
    }

    private Value EmitFlatten(string path, Flatten flatten, Value x)
    {
        long rank = x.IsImage ? 4 : 2;
        if (flatten.start_dim != 1 || (flatten.end_dim != -1 && flatten.end_dim != rank - 1))
            throw Unsupported(path, flatten, $"start_dim {flatten.start_dim}, end_dim {flatten.end_dim} (only flattening every dimension after the batch maps to ONNX Flatten axis=1)");
        string name = Unique(path);
        _graph.Node.Add(Node("Flatten", name, [x.Name], [name], Int("axis", 1)));
        return Value.Vector(name, x.Features);
    }

    private Value Unary(string opType, string path, Value x)
    {
        string name = Unique(path);
        _graph.Node.Add(Node(opType, name, [x.Name], [name]));
        return x with { Name = name };
    }

    private string Add(string opType, string path, IReadOnlyList<string> inputs)
    {
        string name = Unique(path);
        _graph.Node.Add(Node(opType, name, inputs, [name]));
        return name;
    }

    // ---------------------------------------------------------------- batch norm folding

    /// <summary>
    /// Folds y = γ·(z − μ)/√(σ² + ε) + β into the layer z = W·x + b before it, per output channel o:
    /// W′[o] = W[o]·s[o] and b′[o] = (b[o] − μ[o])·s[o] + β[o], with s = γ/√(σ² + ε). In double precision.
    /// </summary>
    private static (float[] Weight, float[] Bias) FoldBatchNorm(string normPath, BatchNorm norm, float[] weight, float[]? bias, long outputs)
    {
        (float[] gamma, float[] beta, float[] mean, float[] variance, _) = NormParameters(normPath, norm);
        int perOutput = checked((int)(weight.Length / outputs));
        var folded = new float[weight.Length];
        var foldedBias = new float[outputs];
        for (int o = 0; o < outputs; o++)
        {
            double s = gamma[o] / Math.Sqrt(variance[o] + norm.eps);
            for (int k = 0; k < perOutput; k++)
                folded[o * perOutput + k] = (float)(weight[o * perOutput + k] * s);
            foldedBias[o] = (float)(((bias?[o] ?? 0.0) - mean[o]) * s + beta[o]);
        }
        return (folded, foldedBias);
    }

    private static (float[] Scale, float[] Shift, float[] Mean, float[] Variance, float Epsilon) NormParameters(string path, BatchNorm norm)
    {
        if (!norm.track_running_stats || norm.running_mean is null || norm.running_var is null)
            throw Unsupported(path, norm, "batch norm without running statistics (it normalizes with each batch's own statistics, which a fixed graph cannot)");
        long n = norm.num_features;
        float[] scale = norm.weight is null ? Enumerable.Repeat(1f, (int)n).ToArray() : Floats(norm.weight);
        float[] shift = norm.bias is null ? new float[n] : Floats(norm.bias);
        return (scale, shift, Floats(norm.running_mean), Floats(norm.running_var), (float)norm.eps);
    }

    // ---------------------------------------------------------------- shapes

    /// <summary>Output size of a sliding window (convolution or pooling) along one axis.</summary>
    private static long WindowCount(long size, long kernel, long stride, long totalPadding, long dilation, bool ceil)
    {
        long span = size + totalPadding - dilation * (kernel - 1) - 1;
        if (span < 0)
            return 0;
        return (ceil ? (span + stride - 1) / stride : span / stride) + 1;
    }

    private static bool LastWindowStartsInPadding(long count, long stride, long size, long padding) => (count - 1) * stride >= size + padding;

    private static Value CheckSize(string path, nn.Module module, Value y) =>
        y.Height >= 1 && y.Width >= 1 ? y
            : throw new InvalidOperationException($"Layer '{path}' ({module.GetType().Name}) shrinks the image to nothing ({y}); the network does not fit 28x28 images.");

    private static void RequireImage(string path, nn.Module module, Value x)
    {
        if (!x.IsImage)
            throw new InvalidOperationException($"Layer '{path}' ({module.GetType().Name}) needs an image but receives {x}.");
    }

    private static long[] Pair(long[]? values, long fallback) => values switch
    {
        null or [] => [fallback, fallback],
        [var v] => [v, v],
        [var h, var w] => [h, w],
        _ => throw new NotSupportedException($"Expected one or two values per 2-D setting, got {values.Length}."),
    };

    /// <summary>ONNX pads: [top, left, bottom, right] from PyTorch's symmetric [height, width] padding.</summary>
    private static long[] Pads(long[] padding) => [padding[0], padding[1], padding[0], padding[1]];

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static NotSupportedException Unsupported(string path, nn.Module module, string what) =>
        new($"ONNX export: layer '{path}' ({module.GetType().FullName}) is not supported: {what}. Nothing was written.");

    // ---------------------------------------------------------------- graph pieces

    private string Unique(string path)
    {
        string name = path.Length == 0 ? "layer" : path;
        string candidate = name;
        for (int n = 2; !_names.Add(candidate); n++)
            candidate = $"{name}_{n}";
        return candidate;
    }

    private string Initializer(string name, float[] values, long[] dims)
    {
        long count = dims.Aggregate(1L, (a, d) => a * d);
        if (count != values.Length)
            throw new InvalidOperationException($"Tensor '{name}' has {values.Length} values but its shape [{string.Join(", ", dims)}] needs {count}.");
        name = Unique(name);
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.RawData = ByteString.CopyFrom(LittleEndian(values));
        _graph.Initializer.Add(tensor);
        return name;
    }

    private static byte[] LittleEndian(float[] values)
    {
        byte[] bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            for (int i = 0; i < values.Length; i++)
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }
        return bytes;
    }

    private static float[] Floats(Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        return tensor.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
    }

    private static NodeProto Node(string opType, string name, IEnumerable<string> inputs, IEnumerable<string> outputs, params AttributeProto[] attributes)
    {
        // Strict loading admits these operators only: a new one goes into OnnxGraphValidator's rules first.
        if (!OnnxGraphValidator.Operators.Contains(opType))
            throw new InvalidOperationException($"ONNX export: operator {opType} is not among those OnnxGraphValidator admits.");
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    private static AttributeProto Ints(string name, IEnumerable<long> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>A tensor value's declaration; a null dimension is the symbolic batch size.</summary>
    private static ValueInfoProto TensorInfo(string name, TensorProto.Types.DataType type, params long?[] dims) =>
        TensorInfo(name, type, dims.Select(d => d is { } size ? Fixed(size) : Batch()));
}
