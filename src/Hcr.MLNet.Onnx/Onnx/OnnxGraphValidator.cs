using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Globalization;
using Google.Protobuf;
using Hcr.MLNet.IO;
using Hcr.MLNet.Onnx.Proto;
using AttributeType = Hcr.MLNet.Onnx.Proto.AttributeProto.Types.AttributeType;
using DataType = Hcr.MLNet.Onnx.Proto.TensorProto.Types.DataType;

namespace Hcr.MLNet.Onnx;

/// <summary>
/// The strict check of an ONNX model before ONNX Runtime sees it. An ONNX file is code: ONNX Runtime allocates and
/// computes whatever its graph says, and a checksum proves nothing against whoever recomputed it. So a model may hold
/// only what Hcr.MLNet's exporter writes: the operators of <see cref="Operators"/>, from ONNX's own domain at
/// <see cref="OnnxFormat.Opset"/>, with the attributes the exporter sets; float and int64 tensors of at most
/// <see cref="ModelFormats.MaxOnnxTensorElements"/> elements, stored in the file itself; no field the exporter never
/// writes. Then every value's shape is worked out for a symbolic batch size, so that a graph whose values would
/// outgrow <see cref="ModelFormats.MaxOnnxValueElementsPerImage"/>, grow with the square of the batch, or cost more than
/// <see cref="ModelFormats.MaxOnnxOperationsPerImage"/> per image is refused at load, before it allocates anything.
/// </summary>
internal static class OnnxGraphValidator
{
    private static readonly MessageParser<ModelProto> LeanParser = ModelProto.Parser.WithDiscardUnknownFields(true);

    /// <summary>What each operator the exporter writes may take: its input count and the attributes the exporter sets, with their types.</summary>
    private sealed record Rule(int MinInputs, int MaxInputs, FrozenDictionary<string, AttributeType> Attributes)
    {
        public Rule(int minInputs, int maxInputs, params (string Name, AttributeType Type)[] attributes)
            : this(minInputs, maxInputs, attributes.ToFrozenDictionary(a => a.Name, a => a.Type, StringComparer.Ordinal))
        {
        }
    }

    // The exporter's operators (OnnxExporter.cs and OnnxExporter.Views.cs) and nothing else; a test exports every
    // design with and without test-time rotations and requires exactly this set, and the exporter refuses to write
    // any other, so the list cannot drift from what is written.
    private static readonly FrozenDictionary<string, Rule> Rules = new Dictionary<string, Rule>(StringComparer.Ordinal)
    {
        ["Conv"] = new(2, 3, ("kernel_shape", AttributeType.Ints), ("strides", AttributeType.Ints), ("pads", AttributeType.Ints),
            ("dilations", AttributeType.Ints), ("group", AttributeType.Int)),
        ["Gemm"] = new(2, 3, ("transB", AttributeType.Int)),
        ["BatchNormalization"] = new(5, 5, ("epsilon", AttributeType.Float)),
        ["Relu"] = new(1, 1),
        ["MaxPool"] = new(1, 1, ("kernel_shape", AttributeType.Ints), ("strides", AttributeType.Ints), ("pads", AttributeType.Ints),
            ("dilations", AttributeType.Ints), ("ceil_mode", AttributeType.Int)),
        ["AveragePool"] = new(1, 1, ("kernel_shape", AttributeType.Ints), ("strides", AttributeType.Ints), ("pads", AttributeType.Ints),
            ("count_include_pad", AttributeType.Int)),
        ["GlobalAveragePool"] = new(1, 1),
        ["Flatten"] = new(1, 1, ("axis", AttributeType.Int)),
        ["Add"] = new(2, 2),
        ["Softmax"] = new(1, 1, ("axis", AttributeType.Int)),
        ["ArgMax"] = new(1, 1, ("axis", AttributeType.Int), ("keepdims", AttributeType.Int)),
        ["Reshape"] = new(2, 2),
        ["Gather"] = new(2, 2, ("axis", AttributeType.Int)),
        ["Mul"] = new(2, 2),
        ["Sum"] = new(1, int.MaxValue),
        ["Concat"] = new(1, int.MaxValue, ("axis", AttributeType.Int)),
        ["ReduceMean"] = new(1, 1, ("axes", AttributeType.Ints), ("keepdims", AttributeType.Int)),
        // The sequence graphs' ending (OnnxExporter.Sequences.cs): positions before classes, the row axis dropped.
        ["Transpose"] = new(1, 1, ("perm", AttributeType.Ints)),
        ["Squeeze"] = new(2, 2),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The operator types Hcr.MLNet's exporter writes: the only ones a strictly checked model may use.</summary>
    public static FrozenSet<string> Operators { get; } = Rules.Keys.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// Checks <paramref name="model"/>, parsed from <paramref name="bytes"/>, whose input and <c>probabilities</c>
    /// output <see cref="OnnxFormat.Read"/> has checked already.
    /// </summary>
    /// <exception cref="ModelFormatException">The model holds something the exporter never writes, or would outgrow the limits; the message names the node or tensor.</exception>
    public static void Validate(ModelProto model, byte[] bytes, int classCount, string source) =>
        Validate(model, bytes, source, [1, OnnxFormat.ImageSize, OnnxFormat.ImageSize], [classCount]);

    /// <summary>
    /// Checks a model whose input <c>pixels</c> is <c>[batch, ..<paramref name="inputPerImage"/>]</c> and whose
    /// <c>probabilities</c> output must come out as <c>[batch, ..<paramref name="outputPerImage"/>]</c>. A graph with a
    /// symbolic width (the text reader's) is checked at the widest input it is ever given, so that the limits bound
    /// every call.
    /// </summary>
    /// <exception cref="ModelFormatException">The model holds something the exporter never writes, or would outgrow the limits; the message names the node or tensor.</exception>
    public static void Validate(ModelProto model, byte[] bytes, string source, long[] inputPerImage, long[] outputPerImage)
    {
        CheckEncoding(model, bytes, source);
        CheckVersions(model, source);
        GraphProto graph = model.Graph;
        if (graph.Node.Count > ModelFormats.MaxOnnxNodes)
            throw Refuse(source, $"the graph has {graph.Node.Count:N0} nodes; Hcr.MLNet's models have at most {ModelFormats.MaxOnnxNodes:N0}.");

        var values = new Dictionary<string, Dim[]>(StringComparer.Ordinal);
        var initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (TensorProto tensor in graph.Initializer)
        {
            Dim[] shape = CheckInitializer(tensor, source);
            if (tensor.Name == OnnxFormat.InputName || !initializers.TryAdd(tensor.Name, tensor))
                throw Refuse(source, $"the name '{tensor.Name}' is given to more than one initializer or input.");
            values.Add(tensor.Name, shape);
        }
        // The batch is symbolic, whatever size the file declares for it (OnnxFormat checked the rest).
        values.Add(OnnxFormat.InputName, [Dim.Batch(1), .. inputPerImage.Select(Dim.Fixed)]);

        var inference = new ShapeInference(values, initializers, source);
        for (int i = 0; i < graph.Node.Count; i++)
            inference.Visit(graph.Node[i], i);

        foreach (ValueInfoProto output in graph.Output)
        {
            if (!values.ContainsKey(output.Name))
                throw Refuse(source, $"the graph output '{output.Name}' is made by no node.");
        }
        Dim[] probabilities = values[OnnxFormat.ProbabilitiesName];
        if (!probabilities.SequenceEqual([Dim.Batch(1), .. outputPerImage.Select(Dim.Fixed)]))
        {
            throw Refuse(source,
                $"the graph computes '{OnnxFormat.ProbabilitiesName}' as [{Describe(probabilities)}], not the [batch, {string.Join(", ", outputPerImage)}] it declares.");
        }
    }

    /// <summary>
    /// Refuses fields this library's schema subset does not know (model-local functions, sparse initializers, training
    /// information, newer features), which ONNX Runtime would act on unseen by these checks, and any encoding other than
    /// the one this library writes, so that ONNX Runtime's parser reads exactly the model checked here.
    /// </summary>
    private static void CheckEncoding(ModelProto model, byte[] bytes, string source)
    {
        // Parsing keeps unknown fields and counts them in the size; the lean parse drops them, and nothing else.
        ModelProto lean = LeanParser.ParseFrom(bytes);
        if (lean.CalculateSize() != model.CalculateSize())
            throw Refuse(source, $"{Where()} holds ONNX fields that Hcr.MLNet's exporter never writes (such as model-local functions, sparse tensors or training information).");
        // Fields out of order or repeated, strings that are not UTF-8, numbers encoded at length: each parser settles such
        // things its own way, so only the one encoding the exporter writes leaves no room between what is checked and what runs.
        if (!bytes.AsSpan().SequenceEqual(lean.ToByteArray()))
            throw Refuse(source, "the file is not encoded as Hcr.MLNet's exporter writes it (fields repeated or out of order, or values encoded another way).");

        // Known repeated fields parse alike both ways, so the two graphs line up element by element.
        string Where()
        {
            for (int i = 0; i < model.Graph.Node.Count; i++)
            {
                if (model.Graph.Node[i].CalculateSize() != lean.Graph.Node[i].CalculateSize())
                    return NodeLabel(model.Graph.Node[i], i);
            }
            for (int i = 0; i < model.Graph.Initializer.Count; i++)
            {
                if (model.Graph.Initializer[i].CalculateSize() != lean.Graph.Initializer[i].CalculateSize())
                    return $"initializer '{model.Graph.Initializer[i].Name}'";
            }
            return model.Graph.CalculateSize() != lean.Graph.CalculateSize() ? "the graph" : "the model";
        }
    }

    private static void CheckVersions(ModelProto model, string source)
    {
        if (model.IrVersion != OnnxFormat.IrVersion)
            throw Refuse(source, $"the model is of ONNX IR version {model.IrVersion}; Hcr.MLNet's exporter writes version {OnnxFormat.IrVersion}.");
        foreach (OperatorSetIdProto set in model.OpsetImport)
        {
            if (!IsDefaultDomain(set.Domain))
                throw Refuse(source, $"the model imports operator set '{set.Domain}'; Hcr.MLNet's exporter uses ONNX's own operators only.");
            if (set.Version != OnnxFormat.Opset)
                throw Refuse(source, $"the model uses ONNX operator set {set.Version}; Hcr.MLNet's exporter writes operator set {OnnxFormat.Opset}.");
        }
    }

    private static bool IsDefaultDomain(string domain) => domain is "" or "ai.onnx";

    /// <summary>The shape of a stored tensor, after checking its type, its size and that its data is in the file and complete.</summary>
    private static Dim[] CheckInitializer(TensorProto tensor, string source)
    {
        string name = $"initializer '{tensor.Name}'";
        if (tensor.Name.Length == 0)
            throw Refuse(source, "an initializer has no name.");
        if (tensor.DataLocation != TensorProto.Types.DataLocation.Default || tensor.ExternalData.Count > 0)
            throw Refuse(source, $"{name} keeps its data in another file; Hcr.MLNet's models hold all their data, and ONNX Runtime would open whatever file the model names.");
        if (tensor.Dims.Count > ModelFormats.MaxTensorRank)
            throw Refuse(source, $"{name} has {tensor.Dims.Count} dimensions (at most {ModelFormats.MaxTensorRank}).");
        long elements = 1;
        foreach (long dim in tensor.Dims)
        {
            if (dim < 1)
                throw Refuse(source, $"{name} has a dimension of {dim}; Hcr.MLNet's tensors have none below 1.");
            if (elements > ModelFormats.MaxOnnxTensorElements / dim)
            {
                throw Refuse(source,
                    $"{name} declares [{string.Join(", ", tensor.Dims)}], more than the {ModelFormats.MaxOnnxTensorElements:N0} elements a tensor in Hcr.MLNet's models may have.");
            }
            elements *= dim;
        }
        (int width, int typed) = (DataType)tensor.DataType switch
        {
            DataType.Float => (sizeof(float), tensor.FloatData.Count),
            DataType.Int64 => (sizeof(long), tensor.Int64Data.Count),
            _ => throw Refuse(source, $"{name} holds {TypeName(tensor.DataType)} values; Hcr.MLNet's exporter writes float and int64 tensors only."),
        };
        bool otherData = tensor.Int32Data.Count > 0 || tensor.StringData.Count > 0
            || (tensor.DataType == (int)DataType.Float ? tensor.Int64Data.Count > 0 : tensor.FloatData.Count > 0);
        long stored = tensor.RawData.Length > 0 ? tensor.RawData.Length : (long)typed * width;
        if (otherData || (tensor.RawData.Length > 0 && typed > 0) || stored != elements * width)
            throw Refuse(source, $"{name} declares {elements:N0} values but holds {stored / (double)width:N0}; the file is damaged.");
        return tensor.Dims.Select(Dim.Fixed).ToArray();
    }

    private static string TypeName(int type) =>
        Enum.IsDefined((DataType)type) ? ((DataType)type).ToString().ToLowerInvariant() : $"type {type}";

    private static string NodeLabel(NodeProto node, int index) => node.Name.Length > 0 ? $"node '{node.Name}'" : $"node {index}";

    private static string Describe(Dim[] shape) => string.Join(", ", shape.Select(d => d.ToString()));

    private static ModelFormatException Refuse(string source, string problem) => new(source, problem);

    /// <summary>One dimension of a value: <see cref="Size"/>, times the batch size when <see cref="PerBatch"/>.</summary>
    private readonly record struct Dim(long Size, bool PerBatch)
    {
        public static Dim Fixed(long size) => new(size, false);

        public static Dim Batch(long multiple) => new(multiple, true);

        public override string ToString() =>
            !PerBatch ? Size.ToString(CultureInfo.InvariantCulture) : Size == 1 ? "batch" : $"{Size.ToString(CultureInfo.InvariantCulture)} x batch";
    }

    /// <summary>Works out each node's output shape from its inputs' as ONNX (opset 17) defines it, in the graph's order.</summary>
    private sealed class ShapeInference(Dictionary<string, Dim[]> values, Dictionary<string, TensorProto> initializers, string source)
    {
        private long _operations;
        private NodeProto _node = null!;
        private string _label = "";

        public void Visit(NodeProto node, int index)
        {
            _node = node;
            _label = NodeLabel(node, index);
            if (!IsDefaultDomain(node.Domain))
                throw Refuse(source, $"{_label} uses operator {node.OpType} of domain '{node.Domain}', which Hcr.MLNet's exporter never writes.");
            if (!Rules.TryGetValue(node.OpType, out Rule? rule))
                throw Refuse(source, $"{_label} uses operator {node.OpType}, which Hcr.MLNet's exporter never writes.");
            if (node.Input.Count < rule.MinInputs || node.Input.Count > rule.MaxInputs)
                throw Fail($"has {node.Input.Count} inputs, which Hcr.MLNet's exporter never writes for it.");
            CheckAttributes(rule);
            var inputs = new Dim[node.Input.Count][];
            for (int i = 0; i < inputs.Length; i++)
            {
                if (!values.TryGetValue(node.Input[i], out inputs[i]!))
                    throw Fail($"reads '{node.Input[i]}', which no earlier node, initializer or input makes.");
            }
            if (node.Output.Count != 1 || node.Output[0].Length == 0)
                throw Fail($"has {node.Output.Count} outputs; Hcr.MLNet's exporter writes one for each node.");

            Dim[] output;
            long cost;
            try
            {
                (output, cost) = Infer(node.OpType, inputs);
                Admit(output, cost);
            }
            catch (OverflowException)
            {
                throw Fail("makes sizes too large to count.");
            }
            if (!values.TryAdd(node.Output[0], output))
                throw Fail($"makes '{node.Output[0]}', which is made already.");
        }

        private void Admit(Dim[] output, long cost)
        {
            if (output.Length > ModelFormats.MaxTensorRank)
                throw Fail($"makes a value of {output.Length} dimensions (at most {ModelFormats.MaxTensorRank}).");
            if (output.Count(d => d.PerBatch) > 1)
                throw Fail($"makes a value of [{Describe(output)}], whose size grows with the square of the batch.");
            long elements = 1;
            foreach (Dim dim in output)
            {
                if (dim.Size < 1)
                    throw Fail($"makes an empty value ([{Describe(output)}]); Hcr.MLNet's graphs have none.");
                elements = checked(elements * dim.Size);
            }
            if (elements > ModelFormats.MaxOnnxValueElementsPerImage)
            {
                throw Fail($"makes a value of [{Describe(output)}]: {elements:N0} elements per image, more than the " +
                    $"{ModelFormats.MaxOnnxValueElementsPerImage:N0} a value in Hcr.MLNet's models may hold.");
            }
            _operations = checked(_operations + cost + elements);
            if (_operations > ModelFormats.MaxOnnxOperationsPerImage)
            {
                throw Fail($"brings the graph's cost to more than the {ModelFormats.MaxOnnxOperationsPerImage:N0} operations per image " +
                    "that Hcr.MLNet's models may take.");
            }
        }

        private ModelFormatException Fail(string problem) => Refuse(source, $"{_label} ({_node.OpType}) {problem}");

        private void CheckAttributes(Rule rule)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (AttributeProto attribute in _node.Attribute)
            {
                if (!rule.Attributes.TryGetValue(attribute.Name, out AttributeType type))
                    throw Fail($"has attribute '{attribute.Name}', which Hcr.MLNet's exporter never sets.");
                if (!seen.Add(attribute.Name))
                    throw Fail($"has attribute '{attribute.Name}' twice.");
                int values = (attribute.HasF ? 1 : 0) + (attribute.HasI ? 1 : 0) + (attribute.HasS ? 1 : 0) + (attribute.T is null ? 0 : 1)
                    + (attribute.G is null ? 0 : 1) + attribute.Floats.Count + attribute.Strings.Count + attribute.Tensors.Count + attribute.Graphs.Count;
                bool holdsItsType = type switch
                {
                    AttributeType.Int => attribute.HasI && values == 1 && attribute.Ints.Count == 0,
                    AttributeType.Float => attribute.HasF && values == 1 && attribute.Ints.Count == 0,
                    _ => values == 0 && attribute.Ints.Count is >= 1 and <= 2 * ModelFormats.MaxTensorRank,
                };
                if (attribute.Type != type || !holdsItsType)
                    throw Fail($"has attribute '{attribute.Name}' of another kind than the {type.ToString().ToLowerInvariant()} Hcr.MLNet's exporter writes.");
            }
        }

        private long Int(string name, long fallback)
        {
            AttributeProto? attribute = _node.Attribute.FirstOrDefault(a => a.Name == name);
            return attribute is null ? fallback : attribute.I;
        }

        private long[]? Ints(string name) => _node.Attribute.FirstOrDefault(a => a.Name == name)?.Ints.ToArray();

        private long[] Ints(string name, int count, long fallback, long min)
        {
            long[] values = Ints(name) ?? Enumerable.Repeat(fallback, count).ToArray();
            if (values.Length != count || values.Any(v => v < min))
                throw Fail($"has {name} [{string.Join(", ", values)}]: {count} values of at least {min} are needed.");
            return values;
        }

        private bool Flag(string name, bool fallback = false)
        {
            long value = Int(name, fallback ? 1 : 0);
            return value is 0 or 1 ? value == 1 : throw Fail($"has {name} {value}; it is 0 or 1.");
        }

        /// <summary>An axis attribute as an index into a shape of rank <paramref name="rank"/> (<paramref name="extra"/> admits the index after the last, as Flatten does).</summary>
        private int Axis(long axis, int rank, int extra = 0)
        {
            if (axis < -rank || axis >= rank + extra)
                throw Fail($"has axis {axis}, outside its input's {rank} dimensions.");
            return (int)(axis < 0 ? axis + rank : axis);
        }

        private Dim[] Rank(Dim[] shape, int rank, string what)
        {
            if (shape.Length != rank)
                throw Fail($"takes {what} of [{Describe(shape)}]; it needs {rank} dimensions.");
            return shape;
        }

        private long FixedSize(Dim dim, string what) =>
            dim.PerBatch ? throw Fail($"has a {what} that depends on the batch size.") : dim.Size;

        private (Dim[] Output, long Cost) Infer(string op, Dim[][] inputs) => op switch
        {
            "Relu" or "Softmax" => (Same(op, inputs[0]), 0),
            "BatchNormalization" => (BatchNormalization(inputs), 0),
            "Add" or "Mul" or "Sum" => (inputs.Skip(1).Aggregate(inputs[0], Broadcast), 0),
            "Conv" => Conv(inputs),
            "Gemm" => Gemm(inputs),
            "MaxPool" or "AveragePool" => Pool(op, inputs[0]),
            "GlobalAveragePool" => GlobalAveragePool(inputs[0]),
            "Flatten" => (Flatten(inputs[0]), 0),
            "ArgMax" => (Reduce(inputs[0], [Int("axis", 0)], Flag("keepdims", fallback: true)), 0),
            "ReduceMean" => (Reduce(inputs[0], Ints("axes") ?? Enumerable.Range(0, inputs[0].Length).Select(a => (long)a).ToArray(), Flag("keepdims", fallback: true)), 0),
            "Reshape" => (Reshape(inputs[0]), 0),
            "Gather" => (Gather(inputs[0], inputs[1]), 0),
            "Concat" => (Concat(inputs), 0),
            "Transpose" => (Transpose(inputs[0]), 0),
            "Squeeze" => (Squeeze(inputs[0]), 0),
            _ => throw new InvalidOperationException($"No shape rule for {op}."),
        };

        private Dim[] Same(string op, Dim[] x)
        {
            if (op == "Softmax")
                Axis(Int("axis", -1), x.Length);
            return x;
        }

        private Dim[] BatchNormalization(Dim[][] inputs)
        {
            Dim[] x = inputs[0];
            if (x.Length < 2)
                throw Fail($"takes an input of [{Describe(x)}]; it needs channels.");
            foreach (Dim[] parameter in inputs.Skip(1))
            {
                if (!parameter.SequenceEqual([Dim.Fixed(FixedSize(x[1], "channel count"))]))
                    throw Fail($"has a parameter of [{Describe(parameter)}] for {x[1]} channels.");
            }
            return x;
        }

        /// <summary>ONNX's multidirectional broadcasting, refused where it would hold for some batch sizes only.</summary>
        private Dim[] Broadcast(Dim[] a, Dim[] b)
        {
            int rank = Math.Max(a.Length, b.Length);
            var result = new Dim[rank];
            for (int i = 0; i < rank; i++)
            {
                Dim x = i < rank - a.Length ? Dim.Fixed(1) : a[i - (rank - a.Length)];
                Dim y = i < rank - b.Length ? Dim.Fixed(1) : b[i - (rank - b.Length)];
                result[i] = x == y || y == Dim.Fixed(1) ? x
                    : x == Dim.Fixed(1) ? y
                    : throw Fail($"combines values of [{Describe(a)}] and [{Describe(b)}], which do not broadcast for every batch size.");
            }
            return result;
        }

        private (Dim[], long) Conv(Dim[][] inputs)
        {
            Dim[] x = Rank(inputs[0], 4, "an input");
            Dim[] w = Rank(inputs[1], 4, "weights");
            long channels = FixedSize(x[1], "channel count");
            long[] kernel = [FixedSize(w[2], "kernel"), FixedSize(w[3], "kernel")];
            long outChannels = FixedSize(w[0], "weight shape");
            long group = Int("group", 1);
            if (group < 1 || FixedSize(w[1], "weight shape") * group != channels || outChannels % group != 0)
                throw Fail($"has weights of [{Describe(w)}] in {group} groups for an input of {channels} channels.");
            if (Ints("kernel_shape") is { } declared && !declared.SequenceEqual(kernel))
                throw Fail($"declares kernel [{string.Join(", ", declared)}] for weights of [{Describe(w)}].");
            if (inputs.Length == 3 && !inputs[2].SequenceEqual([Dim.Fixed(outChannels)]))
                throw Fail($"has a bias of [{Describe(inputs[2])}] for {outChannels} output channels.");
            long[] strides = Ints("strides", 2, 1, 1);
            long[] dilations = Ints("dilations", 2, 1, 1);
            long[] pads = Ints("pads", 4, 0, 0);
            long height = Windows(FixedSize(x[2], "height"), kernel[0], strides[0], pads[0], pads[2], dilations[0], false);
            long width = Windows(FixedSize(x[3], "width"), kernel[1], strides[1], pads[1], pads[3], dilations[1], false);
            Dim[] output = [x[0], Dim.Fixed(outChannels), Dim.Fixed(height), Dim.Fixed(width)];
            return (output, checked(x[0].Size * outChannels * height * width * (channels / group) * kernel[0] * kernel[1]));
        }

        private (Dim[], long) Gemm(Dim[][] inputs)
        {
            Dim[] a = Rank(inputs[0], 2, "an input");
            Dim[] b = Rank(inputs[1], 2, "weights");
            bool transposed = Flag("transB");
            (Dim inner, Dim outputs) = transposed ? (b[1], b[0]) : (b[0], b[1]);
            if (a[1] != inner)
                throw Fail($"multiplies [{Describe(a)}] by {(transposed ? "the transpose of " : "")}[{Describe(b)}].");
            Dim[] output = [a[0], outputs];
            if (inputs.Length == 3 && !Broadcast(inputs[2], output).SequenceEqual(output))
                throw Fail($"adds a bias of [{Describe(inputs[2])}] to [{Describe(output)}].");
            return (output, checked(a[0].Size * outputs.Size * inner.Size));
        }

        private (Dim[], long) Pool(string op, Dim[] input)
        {
            Dim[] x = Rank(input, 4, "an input");
            if (Ints("kernel_shape") is null)
                throw Fail("has no kernel_shape.");
            long[] kernel = Ints("kernel_shape", 2, 1, 1);
            long[] strides = Ints("strides", 2, 1, 1);
            long[] pads = Ints("pads", 4, 0, 0);
            long[] dilations = op == "MaxPool" ? Ints("dilations", 2, 1, 1) : [1, 1];
            bool ceil = op == "MaxPool" && Flag("ceil_mode");
            if (op == "AveragePool")
                Flag("count_include_pad");
            if (pads[0] >= kernel[0] || pads[2] >= kernel[0] || pads[1] >= kernel[1] || pads[3] >= kernel[1])
                throw Fail($"pads [{string.Join(", ", pads)}] as much as its kernel [{string.Join(", ", kernel)}].");
            long inHeight = FixedSize(x[2], "height"), inWidth = FixedSize(x[3], "width");
            long height = Windows(inHeight, kernel[0], strides[0], pads[0], pads[2], dilations[0], ceil);
            long width = Windows(inWidth, kernel[1], strides[1], pads[1], pads[3], dilations[1], ceil);
            // Runtimes differ on a last window that starts in the padding; the exporter never writes one.
            if (ceil && ((height - 1) * strides[0] >= inHeight + pads[0] || (width - 1) * strides[1] >= inWidth + pads[1]))
                throw Fail("has ceil_mode with a last window that starts in the padding, which Hcr.MLNet's exporter never writes.");
            Dim[] output = [x[0], x[1], Dim.Fixed(height), Dim.Fixed(width)];
            return (output, checked(x[0].Size * x[1].Size * height * width * kernel[0] * kernel[1]));
        }

        private long Windows(long size, long kernel, long stride, long padBefore, long padAfter, long dilation, bool ceil)
        {
            long span = checked(size + padBefore + padAfter - dilation * (kernel - 1) - 1);
            if (span < 0)
                throw Fail($"has a window of {kernel} (dilation {dilation}) larger than its padded input of {size}.");
            return checked((ceil ? (span + stride - 1) / stride : span / stride) + 1);
        }

        private (Dim[], long) GlobalAveragePool(Dim[] input)
        {
            Dim[] x = Rank(input, 4, "an input");
            return ([x[0], x[1], Dim.Fixed(1), Dim.Fixed(1)], checked(x[0].Size * x[1].Size * x[2].Size * x[3].Size));
        }

        private Dim[] Flatten(Dim[] x)
        {
            int axis = Axis(Int("axis", 1), x.Length, extra: 1);
            return [Product(x[..axis]), Product(x[axis..])];
        }

        private static Dim Product(IEnumerable<Dim> dims) =>
            dims.Aggregate(Dim.Fixed(1), (a, d) => new Dim(checked(a.Size * d.Size), a.PerBatch || d.PerBatch));

        private Dim[] Reduce(Dim[] x, long[] axes, bool keepDims)
        {
            var reduced = axes.Select(a => Axis(a, x.Length)).ToHashSet();
            if (reduced.Count != axes.Length)
                throw Fail($"names an axis twice in [{string.Join(", ", axes)}].");
            var output = new List<Dim>();
            for (int i = 0; i < x.Length; i++)
            {
                if (!reduced.Contains(i))
                    output.Add(x[i]);
                else if (keepDims)
                    output.Add(Dim.Fixed(1));
            }
            return [.. output];
        }

        /// <summary>The stored int64 list the node's second input names: a computed one could be anything at run time.</summary>
        private long[] StoredList(string what)
        {
            if (!initializers.TryGetValue(_node.Input[1], out TensorProto? list) || list.DataType != (int)DataType.Int64
                || list.Dims.Count != 1 || list.Dims[0] > ModelFormats.MaxTensorRank)
            {
                throw Fail($"takes its {what} from something other than a stored int64 list of a few values, which Hcr.MLNet's exporter never writes.");
            }
            return list.RawData.Length > 0
                ? Enumerable.Range(0, list.RawData.Length / sizeof(long)).Select(i => BinaryPrimitives.ReadInt64LittleEndian(list.RawData.Span[(i * sizeof(long))..])).ToArray()
                : list.Int64Data.ToArray();
        }

        private Dim[] Transpose(Dim[] x)
        {
            long[] perm = Ints("perm") ?? throw Fail("has no perm.");
            if (perm.Length != x.Length || perm.Order().Select((p, i) => p != i).Any(different => different))
                throw Fail($"has perm [{string.Join(", ", perm)}], not an order of its input's {x.Length} axes.");
            return perm.Select(p => x[p]).ToArray();
        }

        private Dim[] Squeeze(Dim[] x)
        {
            long[] axes = StoredList("axes");
            var squeezed = axes.Select(a => Axis(a, x.Length)).ToHashSet();
            if (squeezed.Count != axes.Length || squeezed.Any(a => x[a] != Dim.Fixed(1)))
                throw Fail($"drops axes [{string.Join(", ", axes)}] of [{Describe(x)}]; each must be named once and be of size 1.");
            return x.Where((_, i) => !squeezed.Contains(i)).ToArray();
        }

        private Dim[] Reshape(Dim[] x)
        {
            long[] target = StoredList("target shape");
            if (target.Count(t => t == -1) > 1 || target.Any(t => t is 0 or < -1))
                throw Fail($"reshapes to [{string.Join(", ", target)}]; Hcr.MLNet's exporter writes shapes of positive sizes and at most one -1.");
            Dim total = Product(x);
            long known = target.Where(t => t > 0).Aggregate(1L, (a, t) => checked(a * t));
            if (!target.Contains(-1))
            {
                if (total.PerBatch || known != total.Size)
                    throw Fail($"reshapes [{Describe(x)}] to [{string.Join(", ", target)}], which fits {(total.PerBatch ? "one batch size only" : "another element count")}.");
                return target.Select(Dim.Fixed).ToArray();
            }
            if (total.Size % known != 0)
                throw Fail($"reshapes [{Describe(x)}] to [{string.Join(", ", target)}], which does not divide it.");
            return target.Select(t => t == -1 ? total with { Size = total.Size / known } : Dim.Fixed(t)).ToArray();
        }

        private Dim[] Gather(Dim[] data, Dim[] indices)
        {
            int axis = Axis(Int("axis", 0), data.Length);
            return [.. data[..axis], .. indices, .. data[(axis + 1)..]];
        }

        private Dim[] Concat(Dim[][] inputs)
        {
            Dim[] first = inputs[0];
            if (!_node.Attribute.Any(a => a.Name == "axis"))
                throw Fail("has no axis.");
            int axis = Axis(Int("axis", 0), first.Length);
            Dim joined = first[axis];
            foreach (Dim[] other in inputs.Skip(1))
            {
                bool fits = other.Length == first.Length && other[axis].PerBatch == joined.PerBatch
                    && Enumerable.Range(0, first.Length).All(i => i == axis || other[i] == first[i]);
                if (!fits)
                    throw Fail($"joins [{Describe(first)}] and [{Describe(other)}] along axis {axis}, which fits some batch sizes only or none.");
                joined = joined with { Size = checked(joined.Size + other[axis].Size) };
            }
            Dim[] output = (Dim[])first.Clone();
            output[axis] = joined;
            return output;
        }
    }
}
