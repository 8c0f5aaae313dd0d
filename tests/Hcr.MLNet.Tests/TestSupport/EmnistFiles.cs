using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>Writes small EMNIST-format files (IDX, CSV, mapping) that tests use as input.</summary>
public static class EmnistFiles
{
    /// <summary>Writes an IDX3 image file; <paramref name="storedPixels"/> are written as given (the caller transposes).</summary>
    public static void WriteImages(string path, byte[] storedPixels, int count, int rows = 28, int cols = 28, bool gzip = true, uint magic = 0x00000803)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(header, magic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), cols);
        Write(path, [.. header, .. storedPixels], gzip);
    }

    /// <summary>Writes an IDX1 label file.</summary>
    public static void WriteLabels(string path, byte[] labels, bool gzip = true, uint magic = 0x00000801, int? declaredCount = null)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(header, magic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), declaredCount ?? labels.Length);
        Write(path, [.. header, .. labels], gzip);
    }

    /// <summary>Writes a mapping file in the official layout; <paramref name="firstLabel"/> is 1 for Letters.</summary>
    public static void WriteMapping(string path, string characters, int firstLabel = 0)
    {
        var text = new StringBuilder();
        for (int i = 0; i < characters.Length; i++)
            text.Append(firstLabel + i).Append(' ').Append((int)characters[i]).Append('\n');
        File.WriteAllText(path, text.ToString());
    }

    /// <summary>Writes the CSV export: one row per image, label then 784 stored (transposed) pixels.</summary>
    public static void WriteCsv(string path, byte[] storedPixels, byte[] labels, bool header = false)
    {
        var text = new StringBuilder();
        if (header)
            text.Append("label,").AppendJoin(',', Enumerable.Range(0, 784).Select(i => $"p{i}")).Append('\n');
        for (int i = 0; i < labels.Length; i++)
        {
            text.Append(labels[i]);
            foreach (byte b in storedPixels.AsSpan(i * 784, 784))
                text.Append(',').Append(b);
            text.Append('\n');
        }
        File.WriteAllText(path, text.ToString());
    }

    /// <summary>
    /// Writes <paramref name="train"/> and <paramref name="test"/> as the official files of <paramref name="split"/>
    /// (gzipped IDX, stored transposed, and the mapping), as NIST's archive has them.
    /// </summary>
    public static void WriteSplit(string directory, string split, Hcr.MLNet.Data.EmnistDataset train, Hcr.MLNet.Data.EmnistDataset test)
    {
        WriteMapping(Path.Combine(directory, $"emnist-{split}-mapping.txt"), new string(train.Classes.ToArray()));
        foreach ((Hcr.MLNet.Data.EmnistDataset data, string part) in new[] { (train, "train"), (test, "test") })
        {
            WriteImages(Path.Combine(directory, $"emnist-{split}-{part}-images-idx3-ubyte.gz"), Transpose(data.Pixels.ToArray()), data.Count);
            WriteLabels(Path.Combine(directory, $"emnist-{split}-{part}-labels-idx1-ubyte.gz"), data.Labels.ToArray().Select(l => (byte)l).ToArray());
        }
    }

    /// <summary>Transposes 28×28 images: upright to stored order, or back.</summary>
    public static byte[] Transpose(byte[] images)
    {
        var result = new byte[images.Length];
        for (int offset = 0; offset < images.Length; offset += 784)
        {
            for (int r = 0; r < 28; r++)
            {
                for (int c = 0; c < 28; c++)
                    result[offset + c * 28 + r] = images[offset + r * 28 + c];
            }
        }
        return result;
    }

    /// <summary>Upright images whose pixel values identify image and position: ink = (index*7 + row*3 + col) % 256.</summary>
    public static byte[] PatternImages(int count)
    {
        var pixels = new byte[count * 784];
        for (int i = 0; i < count; i++)
        {
            for (int r = 0; r < 28; r++)
            {
                for (int c = 0; c < 28; c++)
                    pixels[i * 784 + r * 28 + c] = (byte)((i * 7 + r * 3 + c) % 256);
            }
        }
        return pixels;
    }

    private static void Write(string path, byte[] content, bool gzip)
    {
        if (!gzip)
        {
            File.WriteAllBytes(path, content);
            return;
        }
        using var file = File.Create(path);
        using var zip = new GZipStream(file, CompressionLevel.Fastest);
        zip.Write(content);
    }
}
