using System.IO.Compression;
using Hcr.MLNet.Data;

namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>
/// Builds, in memory, a small zip laid out like NIST's <c>gzip.zip</c>: for each split added,
/// <c>gzip/emnist-&lt;split&gt;-&lt;part&gt;-images-idx3-ubyte.gz</c>, the labels files and
/// <c>gzip/emnist-&lt;split&gt;-mapping.txt</c>, written with <see cref="EmnistFiles"/>.
/// </summary>
public sealed class NistArchiveBuilder
{
    private readonly SortedDictionary<string, byte[]> _files = new(StringComparer.Ordinal);

    /// <summary>The files the archive will hold, by name (without the <c>gzip/</c> folder).</summary>
    public IReadOnlyDictionary<string, byte[]> Files => _files;

    /// <summary>
    /// Adds a split whose classes are the characters of <paramref name="classes"/>: image <c>i</c> has
    /// label <c>i % classes.Length</c>. Images are random noise from <paramref name="seed"/>, which does
    /// not compress, so that the image count sets the archive's size.
    /// </summary>
    public NistArchiveBuilder AddSplit(EmnistSplit split, string classes, int trainCount, int testCount, int seed = 1)
    {
        var random = new Random(seed);
        using var staging = new TempDirectory();
        foreach ((EmnistPart part, int count) in new[] { (EmnistPart.Train, trainCount), (EmnistPart.Test, testCount) })
        {
            var pixels = new byte[count * EmnistDataset.PixelsPerImage];
            random.NextBytes(pixels);
            string images = staging.File(EmnistFileNames.Images(split, part));
            string labels = staging.File(EmnistFileNames.Labels(split, part));
            EmnistFiles.WriteImages(images, pixels, count);
            EmnistFiles.WriteLabels(labels, Enumerable.Range(0, count).Select(i => (byte)(i % classes.Length)).ToArray());
            _files[Path.GetFileName(images)] = File.ReadAllBytes(images);
            _files[Path.GetFileName(labels)] = File.ReadAllBytes(labels);
        }
        string mapping = staging.File(EmnistFileNames.Mapping(split));
        EmnistFiles.WriteMapping(mapping, classes);
        _files[Path.GetFileName(mapping)] = File.ReadAllBytes(mapping);
        return this;
    }

    /// <summary>Replaces the content of the file named <paramref name="fileName"/>.</summary>
    public NistArchiveBuilder Replace(string fileName, byte[] content)
    {
        if (!_files.ContainsKey(fileName))
            throw new ArgumentException($"The archive has no file {fileName}.", nameof(fileName));
        _files[fileName] = content;
        return this;
    }

    /// <summary>The zip's bytes.</summary>
    public byte[] Build()
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach ((string name, byte[] content) in _files)
            {
                using Stream entry = zip.CreateEntry("gzip/" + name, CompressionLevel.Fastest).Open();
                entry.Write(content);
            }
        }
        return memory.ToArray();
    }
}
