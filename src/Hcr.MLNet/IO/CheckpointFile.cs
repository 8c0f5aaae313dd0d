using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Hcr.MLNet.IO;

/// <summary>What a checkpoint must match to resume: the settings that shape training, and the images and labels themselves.</summary>
internal sealed record CheckpointFingerprint(string Settings, string Data)
{
    /// <summary>Refuses a checkpoint unless it is this run's.</summary>
    /// <param name="saved">The fingerprint the checkpoint holds.</param>
    /// <param name="path">The checkpoint file, for the message.</param>
    /// <param name="describeSettings">What differs, from the saved settings and this run's (only called when they differ).</param>
    /// <param name="data">What the data fingerprint covers, for the message ("the images or labels").</param>
    /// <exception cref="InvalidDataException">Another run's checkpoint: a sound file, but not this run's, so not a format error.</exception>
    public void RequireSameRun(CheckpointFingerprint saved, string path, Func<string, string, string> describeSettings, string data)
    {
        if (saved.Settings != Settings)
        {
            throw new InvalidDataException(
                $"{path} was written by a run with other settings ({describeSettings(saved.Settings, Settings)}); delete it or choose another CheckpointDirectory.");
        }
        if (saved.Data != Data)
        {
            throw new InvalidDataException(
                $"{path} was written by a run on other data: the settings and the number of images match, but {data} differ " +
                "(another subset or another order, say). Delete it or choose another CheckpointDirectory.");
        }
    }
}

/// <summary>
/// What the training checkpoints share (the character trainer's and the text reader's): the content written atomically
/// with its SHA-256 after it, the checksum checked before anything is read, the optimizer state length-prefixed, and
/// every failure to read turned into a <see cref="ModelFormatException"/> naming the file.
/// </summary>
internal static class CheckpointFile
{
    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> atomically, followed by the SHA-256 of everything it wrote.</summary>
    public static void Write(string path, Action<BinaryWriter> content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
        AtomicFile.Write(path, stream =>
        {
            using var hashing = new Sha256WriteStream(stream);
            using (var writer = new BinaryWriter(hashing, System.Text.Encoding.UTF8, leaveOpen: true))
                content(writer);
            stream.Write(hashing.CurrentHash());
        });
    }

    /// <summary>
    /// Opens <paramref name="path"/>, checks its header (<paramref name="readHeader"/>) and its checksum, and runs
    /// <paramref name="restore"/> on the content, which must read all of it. False when there is no file.
    /// </summary>
    /// <exception cref="ModelFormatException">The file is a folder, another format, truncated, damaged, or holds more than <paramref name="restore"/> read.</exception>
    public static bool TryRead(string path, string kind, Action<BinaryReader, string> readHeader, Action<BinaryReader> restore)
    {
        if (!File.Exists(path))
        {
            if (Directory.Exists(path))
                ModelFormats.RequireFile(path, kind);
            return false;
        }
        using FileStream file = File.OpenRead(path);
        using var reader = new BinaryReader(file, System.Text.Encoding.UTF8, leaveOpen: true);
        try
        {
            readHeader(reader, path);
            long contentStart = file.Position;
            VerifyChecksum(file, contentStart, path);
            file.Position = contentStart;
            restore(reader);
            if (file.Position != file.Length - ModelFormats.Sha256Bytes)
                throw new ModelFormatException(path, "the checkpoint holds more than this run's state; the file is corrupt.");
            return true;
        }
        catch (EndOfStreamException e)
        {
            throw BoundedRead.Truncated(path, e);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or ExternalException or FormatException)
        {
            throw new ModelFormatException(path, $"the checkpoint is corrupt ({e.Message}); delete it to restart training.", e);
        }
    }

    /// <summary>The lower-case hex SHA-256 of what <paramref name="append"/> adds: a run's data fingerprint.</summary>
    public static string Sha256Hex(Action<IncrementalHash> append)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        append(hash);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Adds <paramref name="length"/> as 8 little-endian bytes: each length before its content keeps boundaries in a hash.</summary>
    public static void AppendLength(IncrementalHash hash, long length)
    {
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes, length);
        hash.AppendData(bytes);
    }

    /// <summary>The optimizer's state in TorchSharp's layout, its length first.</summary>
    public static void WriteOptimizer(BinaryWriter writer, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        // Length-prefixed: TorchSharp reads its optimizer layout without bounds, so it gets exactly this many bytes.
        using var state = new MemoryStream();
        using (var stateWriter = new BinaryWriter(state, System.Text.Encoding.UTF8, leaveOpen: true))
            optimizer.save_state_dict(stateWriter);
        writer.Write(state.Length);
        writer.Write(state.GetBuffer(), 0, (int)state.Length);
    }

    /// <summary>Reads what <see cref="WriteOptimizer"/> wrote into <paramref name="optimizer"/>.</summary>
    /// <exception cref="ModelFormatException">The length is implausible, or the state is not this optimizer's.</exception>
    public static void ReadOptimizer(BinaryReader reader, TorchSharp.Modules.OptimizerHelper optimizer, string path)
    {
        long bytes = reader.ReadInt64();
        if (bytes <= 0 || bytes > reader.BaseStream.Length - reader.BaseStream.Position)
            throw new ModelFormatException(path, $"implausible optimizer state length {bytes}; the file is corrupt.");
        using var state = new MemoryStream(BoundedRead.Bytes(reader, (int)bytes, path), writable: false);
        using var stateReader = new BinaryReader(state);
        optimizer.load_state_dict(stateReader);
        if (state.Position != state.Length)
            throw new ModelFormatException(path, "the optimizer state is not this run's optimizer's; the file is corrupt.");
    }

    /// <summary>Compares the SHA-256 of everything before the last 32 bytes with those bytes.</summary>
    private static void VerifyChecksum(FileStream file, long contentStart, string path)
    {
        long content = file.Length - ModelFormats.Sha256Bytes;
        if (content < contentStart)
            throw BoundedRead.Truncated(path);
        file.Position = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            for (long left = content; left > 0;)
            {
                int read = file.Read(chunk, 0, (int)Math.Min(chunk.Length, left));
                if (read == 0)
                    throw BoundedRead.Truncated(path);
                hash.AppendData(chunk, 0, read);
                left -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        Span<byte> stored = stackalloc byte[ModelFormats.Sha256Bytes];
        file.ReadExactly(stored);
        if (!hash.GetHashAndReset().AsSpan().SequenceEqual(stored))
        {
            throw new ModelFormatException(path,
                "checksum mismatch: the checkpoint is damaged (a disk error, or a crash the file system did not survive) and is not resumed; delete it to restart training.");
        }
    }
}
