using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hcr.MLNet.IO;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Hcr.MLNet.Scoring;
using Hcr.MLNet.Tests.Onnx;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Hcr.MLNet.Tests.Training;

/// <summary>
/// Weights for PyTorch: the safetensors file against the format's specification and the network's
/// state_dict, the round trip, every kind of bad file, and the README's tables and PyTorch modules
/// against the networks they describe. Random weights stand in for trained ones: only the weights matter.
/// </summary>
public class SafetensorsTests
{
    private static readonly string[] FiveClasses = ["a", "b", "c", "d", "e"];

    public SafetensorsTests() => TorchRuntime.EnsureInitialized();

    /// <summary>A transformer around a freshly initialised network whose batch norms have random statistics and counts.</summary>
    private static HandwritingCnnTransformer RandomTransformer(CnnArchitecture architecture, int seed, string[]? classes = null, double[]? rotations = null)
    {
        classes ??= FiveClasses;
        nn.Module<Tensor, Tensor> network = architecture.CreateNetwork(classes.Length);
        OnnxTestSupport.RandomizeBatchNorms(network, seed);
        using (torch.no_grad())
        {
            foreach ((string name, Tensor buffer) in network.named_buffers())
            {
                if (name.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
                    buffer.fill_(1000 + seed);
            }
        }
        return new HandwritingCnnTransformer(network, architecture, classes, "Pixels", [], torch.CPU, rotations ?? []);
    }

    /// <summary>Images of synthetic characters, so that the network's outputs depend on what the image shows.</summary>
    internal static float[] Images(int count) => OnnxTestSupport.Pixels(SyntheticGlyphs.Create(count), count);

    internal static float[] Probabilities(HandwritingCnnTransformer model, float[] pixels)
    {
        int count = pixels.Length / 784;
        var probabilities = new float[count * model.ClassCount];
        ((IBatchScorer)model).Score(pixels, count, probabilities);
        return probabilities;
    }

    private static byte[] Export(HandwritingCnnTransformer model)
    {
        using var stream = new MemoryStream();
        model.ExportSafetensors(stream);
        return stream.ToArray();
    }

    private static void AssertSameWeights(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach ((string name, float[] values) in expected)
            Assert.True(values.AsSpan().SequenceEqual(actual[name]), $"{name} differs");
    }

    [Theory]
    [InlineData("seed")]
    [InlineData("standard")]
    public void Round_trip_gives_the_same_weights_and_probabilities_bit_for_bit(string architectureName)
    {
        CnnArchitecture architecture = CnnArchitecture.FromName(architectureName);
        using var dir = new TempDirectory();
        // Class names beyond ASCII and JSON's quote put multi-byte UTF-8 and escapes into the header.
        string[] classes = ["x", "é", "\"", "+", "字"];
        using HandwritingCnnTransformer source = RandomTransformer(architecture, 1, classes, rotations: [-5, 5]);
        using HandwritingCnnTransformer target = RandomTransformer(architecture, 2, classes, rotations: [-5, 5]);
        float[] pixels = Images(8);
        Assert.NotEqual(Probabilities(source, pixels), Probabilities(target, pixels));
        string path = dir.File("weights.safetensors");

        source.ExportSafetensors(path);
        target.ImportSafetensors(path);

        AssertSameWeights(TrainerFixture.Weights(source), TrainerFixture.Weights(target));
        Assert.Equal(Probabilities(source, pixels), Probabilities(target, pixels));
    }

    [Fact]
    public void Exports_to_and_imports_from_streams_that_cannot_seek()
    {
        using HandwritingCnnTransformer source = RandomTransformer(CnnArchitecture.Standard, 3);
        using HandwritingCnnTransformer target = RandomTransformer(CnnArchitecture.Standard, 4);
        using var forwardOnly = new ForwardOnlyStream(Export(source));

        target.ImportSafetensors(forwardOnly, "pipe");

        AssertSameWeights(TrainerFixture.Weights(source), TrainerFixture.Weights(target));
    }

    [Theory]
    [InlineData("seed")]
    [InlineData("standard")]
    public void The_file_is_standard_safetensors_holding_the_whole_state_dict(string architectureName)
    {
        CnnArchitecture architecture = CnnArchitecture.FromName(architectureName);
        using HandwritingCnnTransformer source = RandomTransformer(architecture, 5, classes: ["x", "é", "\"", "+", "7"], rotations: [-5, 5]);

        var file = SafetensorsTestFile.Parse(Export(source));

        // The reference writer pads the header so that the data section starts 8-byte aligned.
        Assert.Equal(0UL, file.HeaderLength % 8);
        Assert.StartsWith("{", file.HeaderText, StringComparison.Ordinal);
        Assert.Contains("é", file.HeaderText, StringComparison.Ordinal); // as UTF-8, not escaped
        Dictionary<string, Tensor> state = source.Network.state_dict();
        Assert.Equal(state.Keys.Order(StringComparer.Ordinal), file.Entries.Select(e => e.Name).Order(StringComparer.Ordinal));
        long position = 0;
        foreach ((string name, string dtype, long[] shape, long begin, long end) in file.Entries.OrderBy(e => e.Begin))
        {
            Tensor tensor = state[name];
            Assert.Equal(tensor.shape, shape);
            Assert.Equal(begin, position);
            position = end;
            ReadOnlySpan<byte> data = file.Data.AsSpan((int)begin, (int)(end - begin));
            if (name.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
            {
                Assert.Equal("I64", dtype);
                Assert.Equal(tensor.item<long>(), BinaryPrimitives.ReadInt64LittleEndian(data));
            }
            else
            {
                Assert.Equal("F32", dtype);
                float[] expected = tensor.data<float>().ToArray();
                Assert.Equal(expected.Length * 4, data.Length);
                for (int i = 0; i < expected.Length; i++)
                    Assert.Equal(expected[i], BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]));
            }
        }
        Assert.Equal(file.Data.Length, position);

        Dictionary<string, string> metadata = file.Metadata!;
        Assert.Equal("pt", metadata["format"]);
        Assert.Equal(architecture.Name, metadata["hcr.architecture"]);
        Assert.Equal(source.ClassNames, JsonSerializer.Deserialize<string[]>(metadata["hcr.classes"]));
        Assert.Equal(new[] { -5.0, 5.0 }, JsonSerializer.Deserialize<double[]>(metadata["hcr.test_time_rotations"]));
        Assert.Equal("Pixels", metadata["hcr.pixels_column"]);
        Assert.Contains("[batch, 1, 28, 28]", metadata["hcr.input"], StringComparison.Ordinal);
    }

    [Fact]
    public void Imports_a_file_laid_out_as_PyTorch_writes_it()
    {
        // safetensors.torch.save_file orders tensors by dtype and name and keeps only the metadata it is
        // given: here none of Hcr.MLNet's, as after a fine-tuning run that saved only the state_dict.
        using HandwritingCnnTransformer source = RandomTransformer(CnnArchitecture.Standard, 6);
        using HandwritingCnnTransformer target = RandomTransformer(CnnArchitecture.Standard, 7);
        var exported = SafetensorsTestFile.Parse(Export(source));
        byte[] rewritten = SafetensorsTestFile.Write(exported.Tensors(), new Dictionary<string, string> { ["format"] = "pt" });
        Assert.NotEqual(exported.Entries.Select(e => e.Name), SafetensorsTestFile.Parse(rewritten).Entries.Select(e => e.Name));
        using var dir = new TempDirectory();
        string path = dir.File("from-pytorch.safetensors");
        File.WriteAllBytes(path, rewritten);

        target.ImportSafetensors(path);

        AssertSameWeights(TrainerFixture.Weights(source), TrainerFixture.Weights(target));
    }

    [Fact]
    public void Export_replaces_a_file_atomically_and_a_disposed_transformer_writes_nothing()
    {
        using var dir = new TempDirectory();
        string path = dir.File("weights.safetensors");
        File.WriteAllText(path, "an older file");
        HandwritingCnnTransformer source = RandomTransformer(CnnArchitecture.Seed, 8);

        source.ExportSafetensors(path);

        Assert.Equal(new[] { path }, Directory.GetFiles(dir.Path));
        Assert.Equal(source.Network.state_dict().Count, SafetensorsTestFile.Read(path).Entries.Count);
        source.Dispose();
        string other = dir.File("other.safetensors");
        Assert.Throws<ObjectDisposedException>(() => source.ExportSafetensors(other));
        Assert.Equal(new[] { path }, Directory.GetFiles(dir.Path));
    }

    // ---- Bad files: each is a ModelFormatException that names the file and the problem, and changes no weight.

    private static ModelFormatException ImportFails(HandwritingCnnTransformer target, string path)
    {
        Dictionary<string, float[]> before = TrainerFixture.Weights(target);
        var error = Assert.Throws<ModelFormatException>(() => target.ImportSafetensors(path));
        Assert.Equal(path, error.Source);
        Assert.StartsWith(path + ": ", error.Message, StringComparison.Ordinal);
        AssertSameWeights(before, TrainerFixture.Weights(target));
        return error;
    }

    /// <summary>A file of <paramref name="source"/>'s tensors and metadata, changed by <paramref name="change"/>, written as PyTorch would.</summary>
    private static string Changed(TempDirectory dir, HandwritingCnnTransformer source, Action<Dictionary<string, StoredTensor>> change)
    {
        var file = SafetensorsTestFile.Parse(Export(source));
        Dictionary<string, StoredTensor> tensors = file.Tensors();
        change(tensors);
        string path = dir.File("changed.safetensors");
        File.WriteAllBytes(path, SafetensorsTestFile.Write(tensors, file.Metadata));
        return path;
    }

    /// <summary>NaN or infinite weights (a diverged training's export) were imported, and every prediction was then the same class at 100%.</summary>
    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Weights_that_are_not_finite_are_refused(float bad)
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer model = RandomTransformer(CnnArchitecture.Standard, 9);
        string path = Changed(dir, model, t =>
        {
            byte[] data = t["conv1a.weight"].Data.ToArray();
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * 7), bad);
            t["conv1a.weight"] = t["conv1a.weight"] with { Data = data };
        });

        ModelFormatException error = ImportFails(model, path);

        Assert.Contains("conv1a.weight holds NaN or infinite values", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tensor_of_another_shape_is_refused()
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer model = RandomTransformer(CnnArchitecture.Standard, 9);
        string path = Changed(dir, model, t => t["conv1a.weight"] = new StoredTensor("F32", [64, 1, 3, 3], new byte[64 * 9 * 4]));

        ModelFormatException error = ImportFails(model, path);

        Assert.Contains("conv1a.weight has shape [64,1,3,3], the network needs [32,1,3,3]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Weights_for_another_class_count_are_refused()
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer source = RandomTransformer(CnnArchitecture.Standard, 10);
        using HandwritingCnnTransformer target = RandomTransformer(CnnArchitecture.Standard, 11, classes: ["a", "b", "c", "d", "e", "f", "g"]);
        string path = dir.File("five.safetensors");
        source.ExportSafetensors(path);

        ModelFormatException error = ImportFails(target, path);

        Assert.Contains("output.weight has shape [5,256], the network needs [7,256]", error.Message, StringComparison.Ordinal);
        Assert.Contains("output.bias has shape [5], the network needs [7]", error.Message, StringComparison.Ordinal);
        Assert.Contains("""its metadata gives the classes ["a","b","c","d","e"] (5), this transformer's are ["a","b","c","d","e","f","g"] (7)""", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_tensor_is_refused()
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer model = RandomTransformer(CnnArchitecture.Standard, 12);
        string path = Changed(dir, model, t => Assert.True(t.Remove("bn2b.running_var")));

        ModelFormatException error = ImportFails(model, path);

        Assert.Contains("bn2b.running_var (F32 [96]) is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unexpected_tensor_is_refused()
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer model = RandomTransformer(CnnArchitecture.Standard, 13);
        string path = Changed(dir, model, t => t["head.weight"] = new StoredTensor("F32", [3], new byte[12]));

        ModelFormatException error = ImportFails(model, path);

        Assert.Contains("head.weight (F32 [3]) is not a tensor of the standard network", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tensor_of_another_element_type_is_refused()
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer model = RandomTransformer(CnnArchitecture.Seed, 14);
        string path = Changed(dir, model, t => t["dense.bias"] = new StoredTensor("F16", [128], new byte[128 * 2]));

        ModelFormatException error = ImportFails(model, path);

        Assert.Contains("dense.bias is F16, the network needs F32", error.Message, StringComparison.Ordinal);
        Assert.Contains("model.float()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Weights_of_another_architecture_are_refused()
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer seed = RandomTransformer(CnnArchitecture.Seed, 15);
        using HandwritingCnnTransformer standard = RandomTransformer(CnnArchitecture.Standard, 16);
        string path = dir.File("seed.safetensors");
        seed.ExportSafetensors(path);

        ModelFormatException error = ImportFails(standard, path);

        Assert.Contains("its metadata says it holds weights of the seed network", error.Message, StringComparison.Ordinal);
        Assert.Contains("conv1a.weight (F32 [32,1,3,3]) is missing", error.Message, StringComparison.Ordinal);
        Assert.Contains("and ", error.Message, StringComparison.Ordinal); // more problems than are listed
    }

    [Fact]
    public void Weights_for_other_classes_of_the_same_count_are_refused()
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer source = RandomTransformer(CnnArchitecture.Seed, 17, classes: ["v", "w", "x", "y", "z"]);
        using HandwritingCnnTransformer target = RandomTransformer(CnnArchitecture.Seed, 18);
        string path = dir.File("vwxyz.safetensors");
        source.ExportSafetensors(path);

        ModelFormatException error = ImportFails(target, path);

        Assert.Contains("""its metadata gives the classes ["v","w","x","y","z"] (5), this transformer's are ["a","b","c","d","e"] (5)""", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("in the header length", 5)]
    [InlineData("in the header", 100)]
    [InlineData("in the first tensor", -3_000_000)]
    [InlineData("by one byte", -1)]
    public void A_truncated_file_is_refused(string where, int cut)
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer model = RandomTransformer(CnnArchitecture.Standard, 19);
        byte[] whole = Export(model);
        int length = cut > 0 ? cut : whole.Length + cut;
        string path = dir.File("truncated.safetensors");
        File.WriteAllBytes(path, whole[..length]);

        ModelFormatException error = ImportFails(model, path);

        string expected = length < 8 ? "it is 5 bytes long, shorter than the 8-byte header length" : "the file is truncated";
        Assert.True(error.Problem.Contains(expected, StringComparison.Ordinal), $"cut {where}: {error.Message}");
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("text")]
    [InlineData("hcr-model")]
    [InlineData("onnx")]
    public void A_file_that_is_not_safetensors_is_refused(string kind)
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer model = RandomTransformer(CnnArchitecture.Standard, 20);
        string path = dir.File("not-safetensors." + kind);
        switch (kind)
        {
            case "empty": File.WriteAllBytes(path, []); break;
            case "text": File.WriteAllText(path, "conv1a.weight = [0.1, 0.2, ...]\n"); break;
            case "hcr-model": model.Save(path); break;
            case "onnx": model.ExportOnnx(path); break;
        }

        ModelFormatException error = ImportFails(model, path);

        Assert.StartsWith("not a safetensors file", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_too_large_for_the_network_is_refused_without_being_read()
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer model = RandomTransformer(CnnArchitecture.Seed, 21);
        string path = dir.File("huge.safetensors");
        using (FileStream huge = File.Create(path))
            huge.SetLength(3_000_000_000); // sparse: no disk space used

        ModelFormatException error = ImportFails(model, path);

        Assert.Contains("it is 3000000000 bytes long", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"conv1.bias":{"dtype":"F32","shape":[128],"data_offsets":[0,100]}}""", 100, "tensor 'conv1.bias' (F32, shape [128]) needs 512 bytes but data_offsets [0,100] give 100")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 4, "overlaps")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "tensor 'a' (data_offsets [4,8]) leaves a gap after the start of the data section")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 12, "8 bytes follow the last tensor's data")]
    [InlineData("""{"a":{"dtype":"Q4","shape":[1],"data_offsets":[0,4]}}""", 4, "tensor 'a' has the unknown dtype 'Q4'")]
    [InlineData("""{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", 4, "tensor 'a' has a shape entry that is not a non-negative integer (-1)")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 4, "'a' appears twice")]
    [InlineData("""{"__metadata__":{"hcr.classes":["a"]}}""", 0, "__metadata__ entry 'hcr.classes' is not a string")]
    [InlineData("""{"conv1.weight":{"dtype":"F32","shape":[128,1,5,5],""", 0, "the header is not valid JSON")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}} x""", 4, "bytes other than space padding follow the JSON object")]
    public void A_malformed_header_is_refused(string header, int dataBytes, string expected)
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer model = RandomTransformer(CnnArchitecture.Seed, 22);
        string path = dir.File("malformed.safetensors");
        File.WriteAllBytes(path, SafetensorsTestFile.WriteRaw(header, new byte[dataBytes]));

        ModelFormatException error = ImportFails(model, path);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_a_FileNotFoundException()
    {
        using var dir = new TempDirectory();
        using HandwritingCnnTransformer model = RandomTransformer(CnnArchitecture.Seed, 23);
        string path = dir.File("absent.safetensors");

        var error = Assert.Throws<FileNotFoundException>(() => model.ImportSafetensors(path));

        Assert.Equal(path, error.FileName);
    }

    // ---- The "Weights for PyTorch" section of docs/model-files.md against the networks.

    private static string ReadmeSection()
    {
        string readme = File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, "docs", "model-files.md"));
        int start = readme.IndexOf("\n## Weights for PyTorch\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/model-files.md has no 'Weights for PyTorch' section");
        int end = new[] { readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal), readme.IndexOf("\n### ", start + 1, StringComparison.Ordinal), readme.Length }
            .Where(i => i >= 0).Min();
        return readme[start..end];
    }

    /// <summary>The network's state_dict as name → "dtype [shape]", with the class count written K.</summary>
    private static Dictionary<string, string> StateDictOf(CnnArchitecture architecture, int classCount)
    {
        using nn.Module<Tensor, Tensor> network = architecture.CreateNetwork(classCount);
        return network.state_dict().ToDictionary(p => p.Key,
            p => Describe(p.Value.dtype == ScalarType.Int64 ? "int64" : p.Value.dtype == ScalarType.Float32 ? "float32" : p.Value.dtype.ToString(), p.Value.shape));
    }

    private static string Describe(string dtype, IEnumerable<long> shape) => $"{dtype} [{string.Join(",", shape)}]";

    [Theory]
    [InlineData("seed")]
    [InlineData("standard")]
    public void Readme_table_lists_the_state_dict(string architectureName)
    {
        const int classCount = 47;
        string section = ReadmeSection();
        var listed = new Dictionary<string, string>(StringComparer.Ordinal);
        string? table = null;
        foreach (string rawLine in section.Split('\n'))
        {
            string line = rawLine.Trim();
            Match heading = Regex.Match(line, @"^\| Layer of `(\w+)` \|");
            if (heading.Success)
            {
                table = heading.Groups[1].Value;
                continue;
            }
            if (!line.StartsWith("| `", StringComparison.Ordinal))
            {
                if (!line.StartsWith('|'))
                    table = null;
                continue;
            }
            if (table != architectureName)
                continue;
            string[] cells = line.Trim('|').Split('|', StringSplitOptions.TrimEntries);
            string layer = cells[0].Trim('`');
            foreach (string group in cells[1].Split(';', StringSplitOptions.TrimEntries))
            {
                Match m = Regex.Match(group, @"^(?<names>.+): \[(?<shape>[^\]]*)\]( (?<dtype>int64))?$");
                Assert.True(m.Success, $"README row '{line}': cannot read '{group}'");
                long[] shape = m.Groups["shape"].Value.Length == 0 ? [] : m.Groups["shape"].Value.Split(',', StringSplitOptions.TrimEntries)
                    .Select(s => s == "K" ? classCount : long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                string dtype = m.Groups["dtype"].Success ? "int64" : "float32";
                foreach (Match name in Regex.Matches(m.Groups["names"].Value, "`(\\w+)`"))
                    Assert.True(listed.TryAdd($"{layer}.{name.Groups[1].Value}", Describe(dtype, shape)), $"README lists {layer}.{name.Groups[1].Value} twice");
            }
        }

        Assert.Equal(StateDictOf(CnnArchitecture.FromName(architectureName), classCount).OrderBy(p => p.Key, StringComparer.Ordinal),
            listed.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    private sealed record PyLayer(string Name, string Type, string[] Positional, Dictionary<string, string> Keywords, int ClassCount)
    {
        /// <summary>Positional argument <paramref name="index"/> as an integer: a product of integers and k.</summary>
        public long Int(int index) => Positional[index].Split('*', StringSplitOptions.TrimEntries)
            .Aggregate(1L, (product, factor) => product * (factor == "k" ? ClassCount : long.Parse(factor, CultureInfo.InvariantCulture)));
    }

    /// <summary>The layers of the README's PyTorch function <c>def name(k)</c>, with k = <paramref name="classCount"/>.</summary>
    private static List<PyLayer> ReadmeModule(string function, int classCount)
    {
        string section = ReadmeSection();
        Match definition = Regex.Match(section, $@"\ndef {function}\(k\):(?<body>(.|\n)*?)(\ndef |\n```)");
        Assert.True(definition.Success, $"README defines no PyTorch module '{function}(k)'");
        var layers = new List<PyLayer>();
        foreach (Match m in Regex.Matches(definition.Groups["body"].Value, @"\(""(?<name>\w+)"", nn\.(?<type>\w+)\((?<args>[^()]*)\)\)"))
        {
            var positional = new List<string>();
            var keywords = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string arg in m.Groups["args"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                int equals = arg.IndexOf('=', StringComparison.Ordinal);
                if (equals >= 0)
                    keywords[arg[..equals]] = arg[(equals + 1)..];
                else
                    positional.Add(arg);
            }
            layers.Add(new PyLayer(m.Groups["name"].Value, m.Groups["type"].Value, positional.ToArray(), keywords, classCount));
        }
        return layers;
    }

    /// <summary>What PyTorch's state_dict holds for a layer, by PyTorch's defaults.</summary>
    private static IEnumerable<(string Key, string Description)> PyTorchTensors(PyLayer layer)
    {
        bool bias = !layer.Keywords.TryGetValue("bias", out string? b) || b != "False";
        switch (layer.Type)
        {
            case "Conv2d":
                yield return ($"{layer.Name}.weight", Describe("float32", [layer.Int(1), layer.Int(0), layer.Int(2), layer.Int(2)]));
                if (bias)
                    yield return ($"{layer.Name}.bias", Describe("float32", [layer.Int(1)]));
                break;
            case "Linear":
                yield return ($"{layer.Name}.weight", Describe("float32", [layer.Int(1), layer.Int(0)]));
                if (bias)
                    yield return ($"{layer.Name}.bias", Describe("float32", [layer.Int(1)]));
                break;
            case "BatchNorm1d" or "BatchNorm2d":
                foreach (string name in new[] { "weight", "bias", "running_mean", "running_var" })
                    yield return ($"{layer.Name}.{name}", Describe("float32", [layer.Int(0)]));
                yield return ($"{layer.Name}.num_batches_tracked", Describe("int64", []));
                break;
            case "ReLU" or "MaxPool2d" or "Flatten" or "Dropout":
                break;
            default:
                throw new InvalidOperationException($"The test does not know PyTorch's nn.{layer.Type}.");
        }
    }

    [Theory]
    [InlineData("seed")]
    [InlineData("standard")]
    public void Readme_pytorch_module_matches_the_network(string architectureName)
    {
        const int classCount = 47;
        CnnArchitecture architecture = CnnArchitecture.FromName(architectureName);
        List<PyLayer> python = ReadmeModule(architectureName, classCount);
        using var network = (Sequential)architecture.CreateNetwork(classCount);
        // ChannelsLast only reorders memory; the README's modules leave it out.
        List<(string Name, nn.Module Module)> layers = network.named_children().Where(c => c.module is not ChannelsLast).ToList();

        // The same layers in the same order: the forward pass is the Sequential's order.
        Assert.Equal(layers.Select(l => $"{l.Name}:{l.Module.GetType().Name}"), python.Select(l => $"{l.Name}:{l.Type}"));
        // The settings the weights' shapes do not show.
        foreach ((PyLayer py, (string name, nn.Module module)) in python.Zip(layers))
        {
            long Keyword(string key, long fallback) => py.Keywords.TryGetValue(key, out string? v) ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;
            switch (module)
            {
                case Conv2d conv:
                    Assert.True(conv.padding is { } padding && padding.All(x => x == Keyword("padding", 0)), $"{name}: padding");
                    Assert.True(conv.stride is null || conv.stride.All(x => x == Keyword("stride", 1)), $"{name}: stride");
                    break;
                case MaxPool2d pool:
                    Assert.True(pool.kernel_size.All(x => x == py.Int(0)), $"{name}: kernel");
                    Assert.True((pool.stride ?? pool.kernel_size).All(x => x == (py.Positional.Length > 1 ? py.Int(1) : py.Int(0))), $"{name}: stride");
                    break;
            }
        }
        // PyTorch's state_dict of those layers is the network's, key for key.
        Assert.Equal(StateDictOf(architecture, classCount).OrderBy(p => p.Key, StringComparer.Ordinal),
            python.SelectMany(PyTorchTensors).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new KeyValuePair<string, string>(p.Key, p.Description)));
    }

    /// <summary>A stream that reads forwards only, as a pipe or a network stream does.</summary>
    private sealed class ForwardOnlyStream(byte[] content) : Stream
    {
        private readonly MemoryStream _inner = new(content);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 1000));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}

/// <summary>
/// The README's rotation recipe against the transformer. Trained alone (<see cref="TorchRandomness"/>): the check that the
/// views matter needs the briefly trained network's views apart, and another test's draws from libtorch's process-wide
/// generator meanwhile would train another network.
/// </summary>
[Collection(TorchRandomness.Name)]
public class SafetensorsRotationRecipeTests
{
    public SafetensorsRotationRecipeTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void Readme_rotation_recipe_gives_the_transformers_probabilities()
    {
        // The README's PyTorch recipe, in TorchSharp (the same libtorch calls): the softmax of the upright
        // image and of each view turned by affine_grid + grid_sample, averaged.
        // Trained for a few seconds: random weights score every view almost alike, and the check below needs them apart.
        HandwritingCnnOptions options = TrainerFixture.Quick(epochs: 3);
        options.TestTimeRotations = [-5, 5];
        using HandwritingCnnTransformer model = TrainerFixture.Train(options);
        float[] pixels = SafetensorsTests.Images(6);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        Tensor x = torch.tensor(pixels, [6, 1, 28, 28]);
        var views = new List<Tensor> { x };
        foreach (double degrees in model.TestTimeRotations)
        {
            double a = degrees * Math.PI / 180;
            Tensor theta = torch.tensor(new[] { (float)Math.Cos(a), (float)-Math.Sin(a), 0f, (float)Math.Sin(a), (float)Math.Cos(a), 0f }, [1, 2, 3]).expand(6, 2, 3);
            Tensor grid = F.affine_grid(theta, [6, 1, 28, 28], align_corners: false);
            views.Add(F.grid_sample(x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false));
        }
        float[] recipe = torch.stack(views.Select(v => F.softmax(model.Network.call(v), 1))).mean([0]).data<float>().ToArray();
        float[] upright = F.softmax(model.Network.call(x), 1).data<float>().ToArray();
        float[] scored = SafetensorsTests.Probabilities(model, pixels);

        double Difference(float[] a) => a.Zip(scored, (p, q) => Math.Abs(p - q)).Max();
        Assert.True(Difference(recipe) < 1e-6, $"recipe differs by {Difference(recipe)}");
        // The rotations matter: the upright image alone scores measurably differently, by orders of magnitude more than
        // the recipe's tolerance (how much more depends on the CPU's kernels, which shape the briefly trained network).
        Assert.True(Difference(upright) > 1e-5, $"upright alone differs by only {Difference(upright)}, the recipe by {Difference(recipe)}");
    }
}
