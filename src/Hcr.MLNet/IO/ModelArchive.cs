using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;

namespace Hcr.MLNet.IO;

/// <summary>The header every zip-based model file's manifest starts with (<see cref="ModelArchive"/>).</summary>
internal interface IModelManifest
{
    /// <summary>The format the file announces (<see cref="ModelFormats.RecognizerFormatName"/>, …).</summary>
    string Format { get; }

    /// <summary>The layout version it was written in.</summary>
    int FormatVersion { get; }

    /// <summary>The Hcr.MLNet version that wrote it, named when a newer file is refused.</summary>
    string Library { get; }
}

/// <summary>
/// What the zip-based model files (recognizer <c>.hcr</c>, text reader <c>.hcrtext</c>) share: the manifest entry,
/// the checks a reader runs on it before it trusts anything else in the file, and the checksum of the weights.
/// </summary>
internal static class ModelArchive
{
    /// <summary>The manifest's entry name in every model zip.</summary>
    public const string ManifestEntry = "manifest.json";

    /// <summary>The informational version of this library, written into every manifest.</summary>
    public static string LibraryVersion =>
        typeof(ModelArchive).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>The lower-case hex SHA-256 of <paramref name="bytes"/>, as manifests record the weights' checksum.</summary>
    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>An entry of the zip, or a <see cref="ModelFormatException"/> saying the <paramref name="kind"/> file is incomplete.</summary>
    public static ZipArchiveEntry Entry(ZipArchive zip, string entry, string path, string kind) =>
        zip.GetEntry(entry) ?? throw new ModelFormatException(path, $"it has no '{entry}' entry; it is not a complete {kind} file.");

    /// <summary>
    /// The manifest, read within <see cref="ModelFormats.MaxManifestBytes"/>, refused unless it names
    /// <paramref name="formatName"/> in <paramref name="formatVersion"/>; the caller checks its own fields.
    /// </summary>
    /// <exception cref="ModelFormatException">No manifest, a corrupt one, another format, or another version.</exception>
    public static T ReadManifest<T>(ZipArchive zip, string path, string formatName, int formatVersion, string kind)
        where T : class, IModelManifest
    {
        using MemoryStream stream = BoundedRead.ZipEntry(Entry(zip, ManifestEntry, path, kind), ModelFormats.MaxManifestBytes, path);
        T? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<T>(stream);
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"the manifest is corrupt ({e.Message}).", e);
        }
        if (manifest?.Format != formatName)
            throw new ModelFormatException(path, $"not an Hcr.MLNet {kind} (its manifest names no {kind} format).");
        if (manifest.FormatVersion != formatVersion)
        {
            throw new ModelFormatException(path,
                $"{kind} format version {manifest.FormatVersion} (written by Hcr.MLNet {manifest.Library}); this version of Hcr.MLNet reads version {formatVersion}.");
        }
        return manifest;
    }
}
