using System.Runtime.InteropServices;
using Hcr.MLNet.IO;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Native;
using Hcr.MLNet.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Training;

public sealed partial class HandwritingCnnTransformer
{
    /// <summary>
    /// The version of the binary format <see cref="Save(Stream)"/> writes. <see cref="Load(Stream, ComputeDevice, string)"/>
    /// reads it and version 1 (written before test-time rotations existed: such models score each image alone).
    /// </summary>
    public const int FormatVersion = ModelFormats.NetworkVersion;

    private const int MaxStoredRotations = 64;
    private const int MaxClasses = 100_000;

    /// <summary>Writes the transformer (architecture, classes, history, weights) to <paramref name="stream"/>.</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using UsageGate.Lease lease = _gate.Enter(this);
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        ModelFormats.WriteNetworkHeader(writer);
        writer.Write(Architecture.Name);
        writer.Write(PixelsColumnName);
        writer.Write(_classNames.Length);
        foreach (string name in _classNames)
            writer.Write(name);
        EpochMetricsFormat.Write(writer, History);
        writer.Write(TestTimeRotations.Count);
        foreach (double angle in TestTimeRotations)
            writer.Write(angle);
        _network.save(writer);
    }

    /// <summary>Saves to a file atomically: a crash never leaves a half-written model under <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, Save);
    }

    /// <summary>Loads a transformer saved with <see cref="Save(string)"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ModelFormatException">The file is not such a model, is truncated or corrupt, or has another format version.</exception>
    public static HandwritingCnnTransformer Load(string path, ComputeDevice device = ComputeDevice.Auto)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ModelFormats.RequireFile(path, "model file");
        using FileStream stream = File.OpenRead(path);
        return Load(stream, device, path);
    }

    /// <summary>Loads a transformer saved with <see cref="Save(Stream)"/>; <paramref name="source"/> names the stream in errors.</summary>
    /// <exception cref="ModelFormatException">The stream is not such a model, is truncated or corrupt, or has another format version.</exception>
    public static HandwritingCnnTransformer Load(Stream stream, ComputeDevice device = ComputeDevice.Auto, string source = "model stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        return LoadNetwork(stream, device, source);
    }

    private static HandwritingCnnTransformer LoadNetwork(Stream stream, ComputeDevice device, string source)
    {
        Device target = TorchRuntime.ResolveDevice(device);
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        nn.Module<Tensor, Tensor>? network = null;
        try
        {
            int version = ModelFormats.ReadNetworkHeader(reader, source);
            CnnArchitecture architecture = CnnArchitecture.FromName(BoundedRead.String(reader, source, "the architecture name"));
            string pixelsColumn = BoundedRead.String(reader, source, "the pixels column name");
            int classCount = reader.ReadInt32();
            if (classCount is < 2 or > MaxClasses)
                throw new ModelFormatException(source, $"implausible class count {classCount}; the file is corrupt.");
            var classNames = new string[classCount];
            for (int i = 0; i < classCount; i++)
                classNames[i] = BoundedRead.String(reader, source, $"the name of class {i}");
            List<EpochMetrics> history = EpochMetricsFormat.Read(reader, source);
            double[] rotations = version >= 2 ? ReadRotations(reader, source) : [];
            network = architecture.CreateNetwork(classCount);
            StateDictFormat.Load(reader, network, source, "network");
            network.to(target);
            return new HandwritingCnnTransformer(network, architecture, classNames, pixelsColumn, history, target, rotations);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or KeyNotFoundException or ArgumentException or FormatException or InvalidOperationException or ExternalException)
        {
            network?.Dispose();
            if (e is EndOfStreamException)
                throw BoundedRead.Truncated(source, e);
            throw new ModelFormatException(source, $"the file is corrupt ({e.Message}).", e);
        }
        catch
        {
            network?.Dispose();
            throw;
        }
    }

    private static double[] ReadRotations(BinaryReader reader, string source)
    {
        int count = reader.ReadInt32();
        if (count is < 0 or > MaxStoredRotations)
            throw new ModelFormatException(source, $"implausible test-time rotation count {count}; the file is corrupt.");
        var rotations = new double[count];
        for (int i = 0; i < count; i++)
        {
            rotations[i] = reader.ReadDouble();
            if (!double.IsFinite(rotations[i]))
                throw new ModelFormatException(source, $"test-time rotation {rotations[i]} is not a finite angle; the file is corrupt.");
        }
        return rotations;
    }
}
