namespace Hcr.MLNet.IO;

/// <summary>
/// The files Hcr.MLNet writes, in one place: how each announces itself, the version written and the
/// versions read, and the limits a reader holds a file to before it trusts a size written in it.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Recognizer (<c>.hcr</c>): a zip (which has its own magic, <c>PK\x03\x04</c>) whose <c>manifest.json</c>
/// names <see cref="RecognizerFormatName"/> and <see cref="RecognizerVersion"/>.</item>
/// <item>Text reader (<c>.hcrtext</c>): a zip whose <c>manifest.json</c> names <see cref="TextReaderFormatName"/> and
/// <see cref="TextReaderVersion"/>, and whose <c>network.bin</c> holds the line network's weights (TorchSharp's layout).</item>
/// <item>Network (<c>network.hcrcnn</c> inside a <c>.hcr</c>, or a file of its own): <see cref="NetworkMagic"/>, then a little-endian
/// int32 version.</item>
/// <item>Training checkpoint (<c>checkpoint.hcrckpt</c>): <see cref="CheckpointMagic"/>, a little-endian int32 version, the
/// content, and the SHA-256 of everything before it.</item>
/// <item>Text-reader training checkpoint (<c>text-checkpoint.hcrckpt</c>): <see cref="TextCheckpointMagic"/>, a little-endian int32
/// version, the content, and the SHA-256 of everything before it.</item>
/// <item>ONNX: Hcr.MLNet's layout version in the model metadata (<see cref="Onnx.OnnxMetadataKeys.FormatVersion"/>).</item>
/// </list>
/// The binary formats start with fixed bytes, not a length-prefixed string, so that any other file fails the
/// check on its first bytes. Versions change only when a layout changes; fields that older readers ignore
/// (the network checksum in the manifest) do not change it.
/// </remarks>
internal static class ModelFormats
{
    /// <summary>What a recognizer's manifest names as its format.</summary>
    public const string RecognizerFormatName = "hcr-recognizer";

    /// <summary>The recognizer (<c>.hcr</c>) layout version written and read.</summary>
    public const int RecognizerVersion = 1;

    /// <summary>What a text reader's manifest names as its format.</summary>
    public const string TextReaderFormatName = "hcr-text-reader";

    /// <summary>The text reader (<c>.hcrtext</c>) layout version written and read.</summary>
    public const int TextReaderVersion = 1;

    /// <summary>
    /// The network layout version written. Version 1 (read too) lacks the test-time rotations, which did
    /// not exist when it was written: such models score each image alone.
    /// </summary>
    public const int NetworkVersion = 2;

    /// <summary>The oldest network layout version read.</summary>
    public const int OldestNetworkVersion = 1;

    /// <summary>
    /// The checkpoint layout version written and read. Version 2 and older (magic <see cref="LegacyCheckpointMagic"/>)
    /// had neither a checksum nor a data fingerprint and are refused: checkpoints are transient, and resuming one
    /// that cannot be checked could carry damaged weights or another data set into the run.
    /// </summary>
    public const int CheckpointVersion = 3;

    /// <summary>The text-reader checkpoint layout version written and read.</summary>
    public const int TextCheckpointVersion = 1;

    /// <summary>Hcr.MLNet's ONNX layout version, stored as text in the model metadata.</summary>
    public const int OnnxVersion = 1;

    /// <summary>
    /// The most bytes a network may inflate to: a trained network is a few MB (the standard network about 5),
    /// so a file that claims more is damaged or hostile, and is refused before it is inflated.
    /// </summary>
    public const long MaxNetworkBytes = 256L << 20;

    /// <summary>The most bytes a recognizer's manifest may inflate to (it is a few hundred).</summary>
    public const long MaxManifestBytes = 1L << 20;

    /// <summary>The most bytes one of a recognizer's ML.NET steps may inflate to, each of its own entries included (they are a few KB).</summary>
    public const long MaxMLNetStepBytes = 16L << 20;

    /// <summary>
    /// The most bytes a text reader's language model or lexicon entry may inflate to: the pretrained reader's 7-gram of
    /// every DHSD and Copiste transcription is a few MB of counts, and a lexicon of the most entries
    /// <see cref="ReadOptions.MaxLexiconEntries"/> allows is a few.
    /// </summary>
    public const long MaxReadingAidBytes = 64L << 20;

    /// <summary>
    /// The most bytes a whole <c>.hcr</c> or <c>.hcrtext</c> file may have: its entries at their limits (stored, deflate
    /// never grows data by more than a few bytes a block) and a megabyte for the zip's own records. The file is read whole
    /// to check its checksum (<see cref="ModelArchive"/>), and this bounds that read.
    /// </summary>
    public const long MaxModelArchiveBytes = MaxManifestBytes + MaxNetworkBytes + 2 * MaxMLNetStepBytes + 2 * MaxReadingAidBytes + (1L << 20);

    /// <summary>
    /// The most bytes an ONNX model file may have: an exported model is a few MB (the standard network about 5,
    /// the seed network about 7), so a larger file, or a stream that does not end (<c>/dev/zero</c>), is refused
    /// before it is read into memory.
    /// </summary>
    public const long MaxOnnxBytes = 64L << 20;

    /// <summary>
    /// The most elements one tensor stored in an ONNX model may declare (its largest, the seed network's first
    /// dense layer, has 401,408): more is damage or an attempt to make ONNX Runtime allocate what the file does not hold.
    /// </summary>
    public const long MaxOnnxTensorElements = 16L << 20;

    /// <summary>The most nodes an ONNX graph may have (an exported graph has under 200, test-time rotations included).</summary>
    public const int MaxOnnxNodes = 10_000;

    /// <summary>
    /// The most elements one value of an ONNX graph may hold per input image (the seed network with the most
    /// test-time rotations, 9 views of 128×28×28, holds 903,168): 16 MB of floats per image, about 4 GB for the
    /// 256 images of one ONNX Runtime call, so a graph built to exhaust memory fails at load, not at its first prediction.
    /// </summary>
    public const long MaxOnnxValueElementsPerImage = 4L << 20;

    /// <summary>
    /// The most arithmetic an ONNX graph may cost per input image, counted as multiply-adds, pooling window reads
    /// and element-wise results (the standard network costs about 50 million a view, under 500 million with 9 views):
    /// a graph that would tie up a CPU for seconds per image is refused at load.
    /// </summary>
    public const long MaxOnnxOperationsPerImage = 8L << 30;

    /// <summary>The most bytes a string in a network or checkpoint may take (names of classes, tensors and settings are short).</summary>
    public const int MaxStringBytes = 64 << 10;

    /// <summary>The highest tensor rank a network may hold (convolution weights have 4 dimensions).</summary>
    public const int MaxTensorRank = 8;

    /// <summary>Length of a SHA-256 hash in bytes.</summary>
    public const int Sha256Bytes = 32;

    /// <summary>The first bytes of a network.</summary>
    public static ReadOnlySpan<byte> NetworkMagic => "HCR-CNN\n"u8;

    /// <summary>The first bytes of a training checkpoint.</summary>
    public static ReadOnlySpan<byte> CheckpointMagic => "HCR-CKP\n"u8;

    /// <summary>The first bytes of a text-reader training checkpoint.</summary>
    public static ReadOnlySpan<byte> TextCheckpointMagic => "HCR-TCK\n"u8;

    /// <summary>The first bytes of a checkpoint of format 2 or older: the string "HCR-CHECKPOINT" with its one-byte length (14).</summary>
    public static ReadOnlySpan<byte> LegacyCheckpointMagic => "\u000EHCR-CHECKPOINT"u8;

    /// <summary>Writes a network's magic and version.</summary>
    public static void WriteNetworkHeader(BinaryWriter writer)
    {
        writer.Write(NetworkMagic);
        writer.Write(NetworkVersion);
    }

    /// <summary>Reads a network's magic and version, returning the version.</summary>
    /// <exception cref="ModelFormatException">Not a network, or a version this library does not read.</exception>
    public static int ReadNetworkHeader(BinaryReader reader, string source)
    {
        if (!reader.ReadBytes(NetworkMagic.Length).AsSpan().SequenceEqual(NetworkMagic))
            throw new ModelFormatException(source, "not an Hcr.MLNet network (wrong header).");
        int version = reader.ReadInt32();
        if (version is < OldestNetworkVersion or > NetworkVersion)
            throw new ModelFormatException(source, $"network format version {version}; this version of Hcr.MLNet reads versions {OldestNetworkVersion} to {NetworkVersion}.");
        return version;
    }

    /// <summary>Writes a checkpoint's magic and version.</summary>
    public static void WriteCheckpointHeader(BinaryWriter writer) => WriteHeader(writer, CheckpointMagic, CheckpointVersion);

    /// <summary>Reads a checkpoint's magic and version.</summary>
    /// <exception cref="ModelFormatException">Not a checkpoint, one of an older format, or one of another version.</exception>
    public static void ReadCheckpointHeader(BinaryReader reader, string source) =>
        ReadHeader(reader, source, CheckpointMagic, CheckpointVersion, "training checkpoint", LegacyCheckpointMagic,
            "a training checkpoint of an older version of Hcr.MLNet (format 2 or older), which this version cannot check and does not resume; " +
            "delete it (or choose another CheckpointDirectory) to restart training.");

    /// <summary>Writes a text-reader checkpoint's magic and version.</summary>
    public static void WriteTextCheckpointHeader(BinaryWriter writer) => WriteHeader(writer, TextCheckpointMagic, TextCheckpointVersion);

    /// <summary>Reads a text-reader checkpoint's magic and version.</summary>
    /// <exception cref="ModelFormatException">Not a text-reader checkpoint (a character trainer's included), or one of another version.</exception>
    public static void ReadTextCheckpointHeader(BinaryReader reader, string source) =>
        ReadHeader(reader, source, TextCheckpointMagic, TextCheckpointVersion, "text-reader training checkpoint", CheckpointMagic,
            "a character trainer's checkpoint, not a text reader's; give the text reader a CheckpointDirectory of its own.");

    private static void WriteHeader(BinaryWriter writer, ReadOnlySpan<byte> magic, int version)
    {
        writer.Write(magic);
        writer.Write(version);
    }

    /// <summary>
    /// Reads <paramref name="magic"/> and <paramref name="version"/>, refusing with <paramref name="refusal"/> a file that
    /// starts with <paramref name="refusedMagic"/> (a checkpoint this reader knows but does not resume).
    /// </summary>
    private static void ReadHeader(BinaryReader reader, string source, ReadOnlySpan<byte> magic, int version, string kind,
        ReadOnlySpan<byte> refusedMagic, string refusal)
    {
        long start = reader.BaseStream.Position;
        byte[] head = reader.ReadBytes(Math.Max(magic.Length, refusedMagic.Length));
        if (head.AsSpan().StartsWith(refusedMagic))
            throw new ModelFormatException(source, refusal);
        if (!head.AsSpan().StartsWith(magic))
            throw new ModelFormatException(source, $"not an Hcr.MLNet {kind} (wrong header).");
        reader.BaseStream.Position = start + magic.Length;
        int found = reader.ReadInt32();
        if (found != version)
        {
            throw new ModelFormatException(source,
                $"{kind} format version {found}; this version of Hcr.MLNet resumes format {version} only. Delete it to restart training.");
        }
    }

    /// <summary>
    /// Throws unless <paramref name="path"/> is an existing file: a folder gets its own message rather than "not found".
    /// <paramref name="kind"/> names what the file should be ("recognizer file").
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    /// <exception cref="ModelFormatException"><paramref name="path"/> is a folder, a named pipe, a socket or a device (see <see cref="RegularFile"/>).</exception>
    public static void RequireFile(string path, string kind)
    {
        if (Directory.Exists(path))
            throw new ModelFormatException(path, $"is a directory, not a file; give the path of the {kind} itself.");
        if (!File.Exists(path))
            throw new FileNotFoundException($"{char.ToUpperInvariant(kind[0])}{kind[1..]} not found: {path}", path);
        RegularFile.Require(path, problem => new ModelFormatException(path, problem));
    }
}
