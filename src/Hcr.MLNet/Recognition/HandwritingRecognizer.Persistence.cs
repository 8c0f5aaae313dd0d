using System.IO.Compression;
using System.Reflection;
using System.Text.Json;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.IO;
using Hcr.MLNet.Native;
using Hcr.MLNet.Training;
using Microsoft.ML;

namespace Hcr.MLNet;

public sealed partial class HandwritingRecognizer
{
    /// <summary>The version of the file format <see cref="Save"/> writes and <see cref="Load"/> reads.</summary>
    public const int FormatVersion = 1;

    private const string ManifestEntry = "manifest.json";
    private const string NetworkEntry = "network.hcrcnn";
    private const string LabelMappingEntry = "mlnet/label-mapping.zip";
    private const string NormalizationEntry = "mlnet/normalization.zip";
    private const string FormatName = "hcr-recognizer";

    private sealed record Manifest(string Format, int FormatVersion, string Library, string Classes, string Architecture, string Created,
        InkNormalizationOptions? Preprocessing);

    /// <summary>
    /// Saves everything needed to predict in a fresh process (a zip: manifest with format version and
    /// classes, the ML.NET steps as ML.NET model files, the network weights), atomically: a crash never
    /// leaves a half-written file under <paramref name="path"/>.
    /// </summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ObjectDisposedException.ThrowIf(_disposed, this);
        HandwritingCnnTransformer network = Network ?? throw new NotSupportedException(
            "This recognizer was loaded from an ONNX file and has no TorchSharp network to save; keep the ONNX file itself.");
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            var manifest = new Manifest(FormatName, FormatVersion, LibraryVersion, new string(_classes), network.Architecture.Name,
                DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture), Preprocessing);
            using (Stream entry = zip.CreateEntry(ManifestEntry).Open())
                JsonSerializer.Serialize(entry, manifest);
            using (Stream entry = zip.CreateEntry(LabelMappingEntry).Open())
                _ml.Model.Save(_labelMapping, _ml.Data.LoadFromEnumerable(new List<RecognizerChain.LabelRow>()).Schema, entry);
            using (Stream entry = zip.CreateEntry(NormalizationEntry).Open())
                _ml.Model.Save(_normalization, RecognizerChain.EmptyPixels(_ml).Schema, entry);
            using (Stream entry = zip.CreateEntry(NetworkEntry).Open())
                network.Save(entry);
        });
    }

    /// <summary>Loads a recognizer saved with <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ModelFormatException">The file is not a recognizer, is truncated or corrupt, or has another format version.</exception>
    public static HandwritingRecognizer Load(string path, ComputeDevice device = ComputeDevice.Auto)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Recognizer file not found: {path}", path);
        try
        {
            using ZipArchive zip = ZipFile.OpenRead(path);
            Manifest manifest = ReadManifest(zip, path);
            var ml = new MLContext(seed: 1);
            ITransformer labelMapping = ReadMLNet(ml, zip, LabelMappingEntry, path);
            ITransformer normalization = ReadMLNet(ml, zip, NormalizationEntry, path);
            using Stream networkStream = Open(zip, NetworkEntry, path);
            using var buffered = new MemoryStream();
            networkStream.CopyTo(buffered);
            buffered.Position = 0;
            HandwritingCnnTransformer network = HandwritingCnnTransformer.Load(buffered, device, $"{path} ({NetworkEntry})");
            if (new string(RecognizerChain.ClassesOf(network.ClassNames)) != manifest.Classes)
            {
                network.Dispose();
                throw new ModelFormatException(path, "the network's classes differ from the manifest's; the file is corrupt.");
            }
            return new HandwritingRecognizer(ml, labelMapping, normalization, network, manifest.Preprocessing ?? new InkNormalizationOptions());
        }
        catch (InvalidDataException e)
        {
            throw new ModelFormatException(path, $"not a readable recognizer file ({e.Message}).", e);
        }
        catch (EndOfStreamException e)
        {
            throw new ModelFormatException(path, "the file is truncated.", e);
        }
    }

    private static string LibraryVersion =>
        typeof(HandwritingRecognizer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private static Manifest ReadManifest(ZipArchive zip, string path)
    {
        using Stream stream = Open(zip, ManifestEntry, path);
        Manifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<Manifest>(stream);
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"the manifest is corrupt ({e.Message}).", e);
        }
        if (manifest?.Format != FormatName)
            throw new ModelFormatException(path, "not an Hcr.MLNet recognizer (its manifest names no recognizer format).");
        if (manifest.FormatVersion != FormatVersion)
        {
            throw new ModelFormatException(path,
                $"recognizer format version {manifest.FormatVersion} (written by Hcr.MLNet {manifest.Library}); this version of Hcr.MLNet reads version {FormatVersion}.");
        }
        return manifest;
    }

    private static ITransformer ReadMLNet(MLContext ml, ZipArchive zip, string entry, string path)
    {
        using Stream stream = Open(zip, entry, path);
        using var buffered = new MemoryStream();
        stream.CopyTo(buffered);
        buffered.Position = 0;
        try
        {
            return ml.Model.Load(buffered, out _);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidDataException or ArgumentException)
        {
            throw new ModelFormatException(path, $"its ML.NET step {entry} cannot be read ({e.Message}).", e);
        }
    }

    private static Stream Open(ZipArchive zip, string entry, string path) =>
        (zip.GetEntry(entry) ?? throw new ModelFormatException(path, $"it has no '{entry}' entry; it is not a complete recognizer file.")).Open();
}
