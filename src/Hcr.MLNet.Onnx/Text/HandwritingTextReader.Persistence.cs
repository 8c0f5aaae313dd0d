using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Hcr.MLNet.IO;
using Hcr.MLNet.Native;
using Hcr.MLNet.Scoring;
using Hcr.MLNet.Text;

namespace Hcr.MLNet;

public sealed partial class HandwritingTextReader
{
    /// <summary>The version of the file format <see cref="Save"/> writes and <see cref="Load"/> reads.</summary>
    public const int FormatVersion = ModelFormats.TextReaderVersion;

    private const string ManifestEntry = ModelArchive.ManifestEntry;
    private const string NetworkEntry = "network.bin";
    private const string LanguageModelEntry = "language-model.txt";
    private const string LexiconEntry = "lexicon.json";

    /// <summary>
    /// The manifest: what the network is, its alphabet, and the SHA-256 (lower-case hex) of the network entry.
    /// <see cref="NetworkSize"/> is absent in files written before sizes existed, all of them standard;
    /// <see cref="ReadDefaults"/> in files written before readers kept their <see cref="DefaultReadOptions"/>, which read greedy.
    /// </summary>
    private sealed record Manifest(string Format, int FormatVersion, string Library, string Alphabet, TextSequenceModel SequenceModel,
        int ImageHeight, int MaxWidth, string Created, string NetworkSha256, IReadOnlyList<TextEpochMetrics>? History,
        TextNetworkSize? NetworkSize = null, SavedReadOptions? ReadDefaults = null) : IModelManifest;

    /// <summary>
    /// A reader's <see cref="DefaultReadOptions"/> in its file: the settings here, the language model and the lexicon in
    /// entries of their own (<see cref="LanguageModelEntry"/>, <see cref="LexiconEntry"/>) with their SHA-256, null when there is none.
    /// </summary>
    private sealed record SavedReadOptions(TextDecoding Decoding, int BeamWidth, int Alternatives, TextLayout Layout,
        double LanguageModelWeight, double CharacterBonus, string? LanguageModelSha256, string? LexiconSha256);

    /// <summary>
    /// Checks now that <see cref="Save"/> could write <paramref name="path"/> (its folder exists or can be created and
    /// takes a new file; the target is not touched), so that a bad output path fails before a long training run
    /// rather than after it.
    /// </summary>
    /// <exception cref="IOException">The path is a folder, or its folder cannot be created or written; the message names the path.</exception>
    public static void CheckSavePath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.CheckWritable(path);
    }

    /// <summary>
    /// Saves everything needed to read in a fresh process (a zip: manifest with format version, alphabet and the
    /// network's checksum, and the network's weights; sealed with the SHA-256 of the whole file as its comment), atomically:
    /// a crash never leaves a half-written file.
    /// </summary>
    /// <exception cref="NotSupportedException">The reader was loaded with <see cref="LoadOnnx"/>: it has no TorchSharp network, and its ONNX file is the model.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using UsageGate.Lease lease = _gate.Enter(this);
        byte[] networkBytes;
        using (var buffer = new MemoryStream())
        {
            using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                TorchScorer().Save(writer);
            }
            networkBytes = buffer.ToArray();
        }
        ReadOptions defaults = DefaultReadOptions;
        byte[]? languageModel = defaults.LanguageModel?.ToBytes();
        byte[]? lexicon = defaults.Lexicon is { } words ? JsonSerializer.SerializeToUtf8Bytes(words) : null;
        var readDefaults = new SavedReadOptions(defaults.Decoding, defaults.BeamWidth, defaults.Alternatives, defaults.Layout,
            defaults.LanguageModelWeight, defaults.CharacterBonus,
            languageModel is null ? null : ModelArchive.Sha256(languageModel), lexicon is null ? null : ModelArchive.Sha256(lexicon));
        var manifest = new Manifest(ModelFormats.TextReaderFormatName, FormatVersion, ModelArchive.LibraryVersion, Alphabet.Characters, SequenceModel,
            TextStrip.Height, MaxWidth, DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture), ModelArchive.Sha256(networkBytes), History,
            TorchScorer().NetworkSize, readDefaults);
        ModelArchive.Write(path, zip =>
        {
            using (Stream entry = zip.CreateEntry(ManifestEntry).Open())
                JsonSerializer.Serialize(entry, manifest);
            using (Stream entry = zip.CreateEntry(NetworkEntry).Open())
                entry.Write(networkBytes);
            if (languageModel is not null)
            {
                using Stream entry = zip.CreateEntry(LanguageModelEntry).Open();
                entry.Write(languageModel);
            }
            if (lexicon is not null)
            {
                using Stream entry = zip.CreateEntry(LexiconEntry).Open();
                entry.Write(lexicon);
            }
        });
    }

    /// <summary>
    /// Loads a reader saved with <see cref="Save"/>, holding the whole file to its checksum (its seal: a flipped bit anywhere
    /// is refused; files written before seals load without one), every entry to the size it can have, the network to the
    /// manifest's checksum and to finite weights of the right shapes.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ModelFormatException">
    /// The path is a directory, or the file is not a text reader, is truncated or damaged, or has another format version. The message names the file.
    /// </exception>
    /// <exception cref="TorchRuntimeException">The application does not have the Hcr.MLNet package, whose TorchSharp reads the network.</exception>
    public static HandwritingTextReader Load(string path, ComputeDevice device = ComputeDevice.Auto)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ModelFormats.RequireFile(path, "text reader file");
        using FileStream stream = File.OpenRead(path);
        return LoadStream(stream, path, device);
    }

    /// <summary>The reader in <paramref name="stream"/> (a file's or an embedded resource's), named <paramref name="path"/> in errors.</summary>
    internal static HandwritingTextReader LoadStream(Stream stream, string path, ComputeDevice device)
    {
        ITorchTextLoader torch = TorchModels.Require<ITorchTextLoader>();
        ITorchTextScorer? scorer = null;
        try
        {
            using ZipArchive zip = ModelArchive.OpenRead(stream, path, "text reader");
            Manifest manifest = ReadManifest(zip, path);
            TextAlphabet alphabet;
            try
            {
                alphabet = new TextAlphabet(manifest.Alphabet);
            }
            catch (ArgumentException e)
            {
                throw new ModelFormatException(path, $"the manifest's alphabet is invalid ({e.Message}); the file is corrupt.", e);
            }
            using MemoryStream bytes = CheckedEntry(zip, NetworkEntry, manifest.NetworkSha256, ModelFormats.MaxNetworkBytes, path);
            ReadOptions defaults = manifest.ReadDefaults is { } saved ? ReadDefaults(zip, saved, path) : new ReadOptions();
            scorer = torch.LoadTextNetwork(bytes, manifest.SequenceModel, manifest.NetworkSize ?? TextNetworkSize.Standard, alphabet.ClassCount, device, $"{path} ({NetworkEntry})");
            return new HandwritingTextReader(scorer, alphabet, manifest.MaxWidth, manifest.History ?? []) { DefaultReadOptions = defaults };
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            scorer?.Dispose();
            if (e is EndOfStreamException)
                throw BoundedRead.Truncated(path, e);
            throw new ModelFormatException(path, $"not a readable text reader file ({e.Message}).", e);
        }
        catch
        {
            scorer?.Dispose();
            throw;
        }
    }

    /// <summary>The TorchSharp scorer of a reader trained or loaded with <see cref="Load"/>.</summary>
    /// <exception cref="NotSupportedException">The reader scores through ONNX Runtime (<see cref="LoadOnnx"/>): it has no TorchSharp network.</exception>
    private ITorchTextScorer TorchScorer() => _scorer as ITorchTextScorer
        ?? throw new NotSupportedException("This text reader was loaded from an ONNX file and has no TorchSharp network to save or export; that ONNX file is the model.");

    private static Manifest ReadManifest(ZipArchive zip, string path)
    {
        Manifest manifest = ModelArchive.ReadManifest<Manifest>(zip, path, ModelFormats.TextReaderFormatName, FormatVersion, "text reader");
        if (string.IsNullOrEmpty(manifest.Alphabet) || string.IsNullOrEmpty(manifest.NetworkSha256))
            throw new ModelFormatException(path, "the manifest names no alphabet or no network checksum; the file is corrupt.");
        if (manifest.ImageHeight != TextStrip.Height)
            throw new ModelFormatException(path, $"the network reads strips {manifest.ImageHeight} pixels high; this version of Hcr.MLNet reads {TextStrip.Height}.");
        if (!Enum.IsDefined(manifest.SequenceModel))
            throw new ModelFormatException(path, $"unknown sequence model {manifest.SequenceModel}; the file is corrupt or newer than this library.");
        if (manifest.NetworkSize is { } size && !Enum.IsDefined(size))
            throw new ModelFormatException(path, $"unknown network size {size}; the file is corrupt or newer than this library.");
        if (manifest.MaxWidth < TextStrip.Height || manifest.MaxWidth > LineNormalizer.MaxAnalysisSide)
            throw new ModelFormatException(path, $"implausible strip width {manifest.MaxWidth}; the file is corrupt.");
        return manifest;
    }

    /// <summary>The <see cref="DefaultReadOptions"/> a file recorded, each entry held to its checksum and the settings to their bounds.</summary>
    private static ReadOptions ReadDefaults(ZipArchive zip, SavedReadOptions saved, string path)
    {
        CharacterLanguageModel? languageModel = null;
        if (saved.LanguageModelSha256 is { } modelSha)
        {
            using MemoryStream bytes = CheckedEntry(zip, LanguageModelEntry, modelSha, ModelFormats.MaxReadingAidBytes, path);
            using var text = new StreamReader(bytes, System.Text.Encoding.UTF8);
            languageModel = CharacterLanguageModel.Read(text, $"{path} ({LanguageModelEntry})");
        }
        IReadOnlyCollection<string>? lexicon = null;
        if (saved.LexiconSha256 is { } lexiconSha)
        {
            using MemoryStream bytes = CheckedEntry(zip, LexiconEntry, lexiconSha, ModelFormats.MaxReadingAidBytes, path);
            try
            {
                lexicon = JsonSerializer.Deserialize<string[]>(bytes)
                    ?? throw new ModelFormatException(path, $"its '{LexiconEntry}' entry is null, not a list of words; the file is corrupt.");
            }
            catch (JsonException e)
            {
                throw new ModelFormatException(path, $"its '{LexiconEntry}' entry is not a JSON list of words ({e.Message}); the file is corrupt.", e);
            }
        }
        var options = new ReadOptions
        {
            Decoding = saved.Decoding, BeamWidth = saved.BeamWidth, Alternatives = saved.Alternatives, Layout = saved.Layout,
            LanguageModel = languageModel, LanguageModelWeight = saved.LanguageModelWeight, CharacterBonus = saved.CharacterBonus, Lexicon = lexicon,
        };
        ModelArchive.RequireValidSettings(path, "reading options", options.Validate);
        return options;
    }

    /// <summary>An entry's bytes, bounded by <paramref name="limit"/> and held to the SHA-256 the manifest recorded for it.</summary>
    private static MemoryStream CheckedEntry(ZipArchive zip, string name, string sha256, long limit, string path)
    {
        MemoryStream bytes = BoundedRead.ZipEntry(Entry(zip, name, path), limit, path);
        string actual = ModelArchive.Sha256(bytes.GetBuffer().AsSpan(0, (int)bytes.Length));
        if (!string.Equals(sha256, actual, StringComparison.OrdinalIgnoreCase))
        {
            bytes.Dispose();
            throw new ModelFormatException(path, $"checksum mismatch: the '{name}' entry's SHA-256 is {actual} but the manifest records {sha256}; the file is damaged.");
        }
        return bytes;
    }

    private static ZipArchiveEntry Entry(ZipArchive zip, string entry, string path) => ModelArchive.Entry(zip, entry, path, "text reader");
}
