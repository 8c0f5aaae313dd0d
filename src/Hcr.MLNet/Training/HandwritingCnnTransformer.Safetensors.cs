using System.Text.Json;
using Hcr.MLNet.IO;
using Hcr.MLNet.Native;
using Hcr.MLNet.Scoring;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Hcr.MLNet.Training;

public sealed partial class HandwritingCnnTransformer
{
    // "format": "pt" is what safetensors.torch.save_file writes and what Hugging Face's loaders look for;
    // the hcr.* keys are the ONNX export's, so that a tool reads both files' metadata alike.
    private const string SafetensorsFormatKey = "format";
    private const string SafetensorsArchitectureKey = "hcr.architecture";
    private const string SafetensorsClassesKey = "hcr.classes";
    private const string SafetensorsPixelsColumnKey = "hcr.pixels_column";
    private const string SafetensorsRotationsKey = "hcr.test_time_rotations";
    private const string SafetensorsInputKey = "hcr.input";

    // Enough to say what is wrong without burying the first problem.
    private const int MaxReportedProblems = 8;

    /// <summary>
    /// Writes the network's weights as a safetensors file (https://github.com/huggingface/safetensors), which
    /// PyTorch loads with <c>model.load_state_dict(safetensors.torch.load_file(path))</c> into a module of the
    /// same design (docs/model-files.md, "Weights for PyTorch", lists the tensor names and gives the modules). The file
    /// holds every parameter and buffer under its <c>state_dict</c> name: float32 weights, and for each batch
    /// norm its running mean and variance (float32) and <c>num_batches_tracked</c> (int64), so that PyTorch
    /// evaluates exactly what this network evaluates. Its <c>__metadata__</c> holds <c>format</c>
    /// (<c>pt</c>), <c>hcr.architecture</c>, <c>hcr.classes</c> (a JSON array), <c>hcr.pixels_column</c>,
    /// <c>hcr.test_time_rotations</c> (a JSON array of degrees) and <c>hcr.input</c>. The test-time
    /// rotations are not part of the weights: a PyTorch module scores each image alone unless it averages
    /// the turned views itself. The file is written atomically: on any error nothing is left under <paramref name="path"/>.
    /// </summary>
    /// <param name="path">The .safetensors file to write (replaced if it exists).</param>
    public void ExportSafetensors(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // Built in memory first, so that a failure leaves no file behind.
        byte[] content = BuildSafetensors();
        AtomicFile.WriteAllBytes(path, content);
    }

    /// <summary>Writes the weights as safetensors (see <see cref="ExportSafetensors(string)"/>) to <paramref name="stream"/>.</summary>
    public void ExportSafetensors(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(BuildSafetensors());
    }

    /// <summary>
    /// Replaces the network's weights with those of a safetensors file: one written by
    /// <see cref="ExportSafetensors(string)"/>, or by PyTorch (<c>safetensors.torch.save_file(model.state_dict(), path)</c>)
    /// for a module of the same design, say after fine-tuning there. The file must hold exactly the network's
    /// tensors (docs/model-files.md, "Weights for PyTorch"), with their shapes (so the same class count) and element
    /// types; when its metadata names an architecture or classes (files from <see cref="ExportSafetensors(string)"/>
    /// do), they must be this transformer's. Everything is checked before any weight changes: a file that
    /// fails leaves the network as it was. The classes, test-time rotations and <see cref="History"/> stay
    /// this transformer's; save the result with <see cref="Save(string)"/>. Do not score with this transformer
    /// on another thread meanwhile.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ModelFormatException">
    /// A directory, a named pipe, a socket or a device rather than a file; not a safetensors file, truncated or malformed, or its tensors do not fit the network (a tensor
    /// missing, unexpected, or of another shape or element type; another architecture or other classes in
    /// its metadata; a weight NaN or infinite): the message names the file and every such tensor.
    /// </exception>
    public void ImportSafetensors(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ModelFormats.RequireFile(path, "weights file");
        using FileStream stream = File.OpenRead(path);
        ImportSafetensors(stream, path);
    }

    /// <summary>
    /// Replaces the network's weights with those of safetensors data read from <paramref name="stream"/> to
    /// its end (see <see cref="ImportSafetensors(string)"/>); <paramref name="source"/> names the stream in errors.
    /// </summary>
    /// <exception cref="ModelFormatException">The data is not safetensors, is truncated or malformed, or does not fit the network.</exception>
    public void ImportSafetensors(Stream stream, string source = "safetensors stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        using UsageGate.Lease lease = _gate.Enter(this);
        TorchRuntime.EnsureInitialized();
        Dictionary<string, Tensor> state = _network.state_dict();
        // The file is read whole (a few MB for the built-in networks) so that what is checked is what is loaded;
        // the bound keeps an unrelated huge file from being read into memory.
        long tensorBytes = state.Values.Sum(t => t.NumberOfElements * t.ElementSize);
        byte[] file = ReadAtMost(stream, 8 + SafetensorsFile.MaxHeaderBytes + tensorBytes, source);
        (IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string> metadata) = SafetensorsFile.ReadHeader(file, source);
        List<string> problems = MetadataProblems(metadata);
        problems.AddRange(TensorProblems(entries, state));
        problems.AddRange(SafetensorsFile.NonFiniteTensors(file, entries).Select(name => $"{name} holds NaN or infinite values (a training that diverged)"));
        if (problems.Count > 0)
        {
            string listed = string.Join("; ", problems.Take(MaxReportedProblems));
            if (problems.Count > MaxReportedProblems)
                listed += $"; and {problems.Count - MaxReportedProblems} more";
            throw new ModelFormatException(source,
                $"the weights do not fit this transformer's {Architecture.Name} network for {ClassCount} classes: {listed}.");
        }
        LoadSafetensors(file, state);
    }

    private byte[] BuildSafetensors()
    {
        using UsageGate.Lease lease = _gate.Enter(this);
        using var plain = new MemoryStream();
        // PyBridge writes the tensors and their index; the metadata, which it cannot write, is added to its header.
        _network.save_safetensors(plain, leaveOpen: true);
        KeyValuePair<string, string>[] metadata =
        [
            new(SafetensorsFormatKey, "pt"),
            new(SafetensorsArchitectureKey, Architecture.Name),
            new(SafetensorsClassesKey, JsonSerializer.Serialize(_classNames, SafetensorsFile.JsonOptions)),
            new(SafetensorsPixelsColumnKey, PixelsColumnName),
            new(SafetensorsRotationsKey, JsonSerializer.Serialize(TestTimeRotations)),
            new(SafetensorsInputKey, "float [batch, 1, 28, 28]: grey pixels scaled to 0..1, white ink on black, upright " +
                "(row 0 at the top; the EMNIST files store images transposed); the network returns logits [batch, classes]"),
        ];
        return SafetensorsFile.WithMetadata(plain.GetBuffer().AsSpan(0, (int)plain.Length), metadata);
    }

    private List<string> MetadataProblems(IReadOnlyDictionary<string, string> metadata)
    {
        var problems = new List<string>();
        if (metadata.TryGetValue(SafetensorsArchitectureKey, out string? architecture) && architecture != Architecture.Name)
            problems.Add($"its metadata says it holds weights of the {architecture} network");
        if (metadata.TryGetValue(SafetensorsClassesKey, out string? classesJson))
        {
            string[]? classes = null;
            try
            {
                classes = JsonSerializer.Deserialize<string[]>(classesJson);
            }
            catch (JsonException)
            {
                // Reported below as unreadable, with the other problems.
            }
            if (classes is null || classes.Any(c => c is null))
                problems.Add($"its {SafetensorsClassesKey} metadata is not a JSON array of strings");
            else if (!classes.SequenceEqual(_classNames, StringComparer.Ordinal))
                problems.Add($"its metadata gives the classes {Abbreviate(classes)}, this transformer's are {Abbreviate(_classNames)}");
        }
        return problems;
    }

    private IEnumerable<string> TensorProblems(IReadOnlyList<SafetensorsEntry> entries, Dictionary<string, Tensor> state)
    {
        Dictionary<string, SafetensorsEntry> byName = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        bool floatsDiffer = false;
        foreach ((string name, Tensor tensor) in state)
        {
            string needed = SafetensorsFile.DTypeOf(tensor.dtype) ?? tensor.dtype.ToString();
            string neededShape = SafetensorsFile.FormatShape(tensor.shape);
            if (!byName.TryGetValue(name, out SafetensorsEntry? entry))
            {
                yield return $"{name} ({needed} {neededShape}) is missing";
                continue;
            }
            if (!entry.Shape.SequenceEqual(tensor.shape))
                yield return $"{name} has shape {entry.ShapeText}, the network needs {neededShape}";
            if (entry.DType != needed)
            {
                floatsDiffer |= tensor.dtype == ScalarType.Float32;
                yield return $"{name} is {entry.DType}, the network needs {needed}";
            }
        }
        foreach (SafetensorsEntry entry in entries.Where(e => !state.ContainsKey(e.Name)))
            yield return $"{entry.Name} ({entry.DType} {entry.ShapeText}) is not a tensor of the {Architecture.Name} network";
        if (floatsDiffer)
            yield return "save the PyTorch model in float32 (model.float()) before exporting it";
    }

    private void LoadSafetensors(byte[] file, Dictionary<string, Tensor> state)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        // After the checks nothing should fail; if PyBridge still does part-way through, the old weights come back
        // rather than a mix of old and new.
        Dictionary<string, Tensor> backup = state.ToDictionary(p => p.Key, p => p.Value.clone());
        try
        {
            using var stream = new MemoryStream(file, writable: false);
            _network.load_safetensors(stream, strict: true);
        }
        catch
        {
            foreach ((string name, Tensor tensor) in state)
                tensor.copy_(backup[name]);
            throw;
        }
    }

    private static byte[] ReadAtMost(Stream stream, long limit, string source)
    {
        if (stream.CanSeek && stream.Length - stream.Position > limit)
            throw TooLarge($"{stream.Length - stream.Position} bytes long", limit, source);
        using var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit)
                throw TooLarge($"more than {limit} bytes long", limit, source);
        }
        return buffer.ToArray();
    }

    private static ModelFormatException TooLarge(string size, long limit, string source) =>
        new(source, $"not a safetensors file of this network's weights: it is {size}, and such a file is at most {limit} bytes.");

    private static string Abbreviate(string[] classes) =>
        JsonSerializer.Serialize(classes.Take(10), SafetensorsFile.JsonOptions) + (classes.Length > 10 ? $" and {classes.Length - 10} more" : "") + $" ({classes.Length})";
}
