using System.Buffers.Binary;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
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
/// the checks a reader runs on it before it trusts anything else in the file, the checksum of the weights, and the seal.
/// </summary>
/// <remarks>
/// The seal is the zip's comment, <c>hcr-sha256:</c> and the SHA-256 of every byte before it (the comment's length in
/// the end record included), so that a flipped bit anywhere (an ML.NET step, the manifest, the zip's own records, the
/// seal itself) is refused as damage. ZipArchive checks no CRC, and 22 of 40 single-bit flips in a recognizer's ML.NET
/// steps loaded silently before. A zip comment changes nothing for readers that predate it, so the format version
/// stayed; files written before it (an empty comment) load as before, held to their entries' own checks.
/// </remarks>
internal static class ModelArchive
{
    private const string SealPrefix = "hcr-sha256:";
    private const int SealLength = 11 + 64; // the prefix and 64 hex digits
    // The zip end-of-central-directory record: signature PK\5\6, 22 bytes, the comment's length in its last two.
    private const uint EndRecordSignature = 0x06054b50;
    private const int EndRecordLength = 22;
    private const int CommentLengthOffset = 20;

    /// <summary>Writes a sealed model zip to <paramref name="path"/> atomically, its entries written by <paramref name="writeEntries"/>.</summary>
    public static void Write(string path, Action<ZipArchive> writeEntries)
    {
        byte[] sealedBytes;
        using (var buffer = new MemoryStream())
        {
            using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
                writeEntries(zip);
            sealedBytes = Seal(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        }
        AtomicFile.WriteAllBytes(path, sealedBytes);
    }

    /// <summary><paramref name="zip"/> (ending in an end record with no comment, as ZipArchive writes it) with the seal as its comment.</summary>
    internal static byte[] Seal(ReadOnlySpan<byte> zip)
    {
        if (!HasEndRecord(zip, commentLength: 0))
            throw new InvalidOperationException("The model zip does not end in an end record without a comment.");
        var bytes = new byte[zip.Length + SealLength];
        zip.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(zip.Length - EndRecordLength + CommentLengthOffset), SealLength);
        Encoding.ASCII.GetBytes(SealPrefix + Sha256(bytes.AsSpan(0, zip.Length)), bytes.AsSpan(zip.Length));
        return bytes;
    }

    /// <summary>
    /// The whole of a model file from <paramref name="stream"/> (at most <see cref="ModelFormats.MaxModelArchiveBytes"/>),
    /// its seal checked, opened as a zip whose entry names are all different.
    /// </summary>
    /// <exception cref="ModelFormatException">The file is too large, its seal does not match (damage), its end is not a zip's, or two entries share a name.</exception>
    public static ZipArchive OpenRead(Stream stream, string path, string kind)
    {
        MemoryStream bytes = BoundedRead.Stream(stream, ModelFormats.MaxModelArchiveBytes, path,
            $"larger than an Hcr.MLNet {kind} file can be (at most {ModelFormats.MaxModelArchiveBytes:N0} bytes); it is not such a file.");
        try
        {
            CheckSeal(bytes.GetBuffer().AsSpan(0, (int)bytes.Length), path, kind);
            var zip = new ZipArchive(bytes, ZipArchiveMode.Read, leaveOpen: false);
            // Which of two entries of one name a reader takes is up to the reader: the first silently won.
            if (zip.Entries.GroupBy(e => e.FullName, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                zip.Dispose();
                throw new ModelFormatException(path, $"it has {twice.Count()} entries named '{twice.Key}'; a {kind} file has one of each, so the file is damaged or was tampered with.");
            }
            return zip;
        }
        catch
        {
            bytes.Dispose();
            throw;
        }
    }

    private static void CheckSeal(ReadOnlySpan<byte> file, string path, string kind)
    {
        if (HasEndRecord(file[..Math.Max(0, file.Length - SealLength)], SealLength)
            && file[^SealLength..].StartsWith(Encoding.ASCII.GetBytes(SealPrefix)))
        {
            string recorded = Encoding.ASCII.GetString(file[^(SealLength - SealPrefix.Length)..]);
            string actual = Sha256(file[..^SealLength]);
            if (!string.Equals(recorded, actual, StringComparison.Ordinal))
                throw new ModelFormatException(path, $"checksum mismatch: the file's SHA-256 is {actual} but its seal records {recorded}; the file is damaged.");
            return;
        }
        // Written before files were sealed: held to its entries' own checks, as it always was.
        if (HasEndRecord(file, commentLength: 0))
            return;
        throw new ModelFormatException(path, file.Length < EndRecordLength
            ? "the file is truncated or not a zip."
            : $"its end is not that of an Hcr.MLNet {kind} file (no zip end record with its checksum); the file is truncated, damaged or not such a file.");
    }

    private static bool HasEndRecord(ReadOnlySpan<byte> zip, int commentLength) =>
        zip.Length >= EndRecordLength
        && BinaryPrimitives.ReadUInt32LittleEndian(zip[^EndRecordLength..]) == EndRecordSignature
        && BinaryPrimitives.ReadUInt16LittleEndian(zip[^(EndRecordLength - CommentLengthOffset)..]) == commentLength;

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
    /// Runs <paramref name="validate"/> on settings a manifest recorded; settings out of their bounds are a damaged file:
    /// a <see cref="ModelFormatException"/> naming <paramref name="path"/> and <paramref name="what"/>.
    /// </summary>
    public static void RequireValidSettings(string path, string what, Action validate)
    {
        try
        {
            validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ModelFormatException(path, $"the manifest's {what} are out of bounds ({e.Message}); the file is corrupt.", e);
        }
    }

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
