namespace Hcr.MLNet.Data;

public sealed partial class EmnistDataset
{
    /// <summary>
    /// Loads one part of an EMNIST split from <paramref name="directory"/> by the official file names
    /// (<c>emnist-balanced-train-images-idx3-ubyte.gz</c>, …, gzipped or not, also in a <c>gzip/</c>
    /// subfolder as the NIST archive extracts), or from the CSV export
    /// (<c>emnist-balanced-train.csv</c>) when the IDX files are absent. Needs the split's mapping file.
    /// </summary>
    /// <exception cref="FileNotFoundException">The directory has neither the IDX files nor the CSV file, or lacks the mapping.</exception>
    /// <exception cref="EmnistFormatException">A file is malformed; the message names it.</exception>
    public static EmnistDataset Load(string directory, EmnistSplit split, EmnistPart part)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"EMNIST data folder not found: {Path.GetFullPath(directory)}");

        string[] folders = [directory, Path.Combine(directory, "gzip")];
        string? mapping = FindFirst(folders, EmnistFileNames.Mapping(split));
        string imagesName = EmnistFileNames.Images(split, part);
        string labelsName = EmnistFileNames.Labels(split, part);
        string? images = FindFirst(folders, imagesName, Path.GetFileNameWithoutExtension(imagesName));
        string? labels = FindFirst(folders, labelsName, Path.GetFileNameWithoutExtension(labelsName));
        string mappingPath = mapping ?? Path.Combine(directory, EmnistFileNames.Mapping(split));

        if (images is not null && labels is not null)
            return LoadIdx(images, labels, mappingPath);

        string csvName = EmnistFileNames.Csv(split, part);
        string? csv = FindFirst(folders, csvName, csvName + ".gz");
        if (csv is not null)
            return LoadCsv(csv, mappingPath);

        string missing = images is null ? imagesName : labelsName;
        throw new FileNotFoundException(
            $"EMNIST {split.DisplayName()} {part.ToString().ToLowerInvariant()} data not found in {Path.GetFullPath(directory)}: " +
            $"expected {imagesName} and {labelsName} (gzipped or not), or {csvName}.",
            Path.Combine(directory, missing));
    }

    /// <summary>
    /// Whether <see cref="Load"/> would find the files of this split and part in <paramref name="directory"/>
    /// (images and labels, or the CSV export, and the mapping); the files are not read.
    /// </summary>
    public static bool IsPresent(string directory, EmnistSplit split, EmnistPart part) => MissingFiles(directory, split, part).Count == 0;

    /// <summary>
    /// The official names of the files of this split and part that <see cref="Load"/> needs and does not find in
    /// <paramref name="directory"/>: the images and labels file, or either of them (when the CSV export is not there
    /// either), and the mapping. Empty when the part is present; all three when the folder has none of them.
    /// The files are not read.
    /// </summary>
    public static IReadOnlyList<string> MissingFiles(string directory, EmnistSplit split, EmnistPart part)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string images = EmnistFileNames.Images(split, part), labels = EmnistFileNames.Labels(split, part);
        string csv = EmnistFileNames.Csv(split, part), mapping = EmnistFileNames.Mapping(split);
        if (!Directory.Exists(directory))
            return [images, labels, mapping];
        string[] folders = [directory, Path.Combine(directory, "gzip")];
        var missing = new List<string>(3);
        bool hasImages = FindFirst(folders, images, Path.GetFileNameWithoutExtension(images)) is not null;
        bool hasLabels = FindFirst(folders, labels, Path.GetFileNameWithoutExtension(labels)) is not null;
        if (!(hasImages && hasLabels) && FindFirst(folders, csv, csv + ".gz") is null)
        {
            if (!hasImages)
                missing.Add(images);
            if (!hasLabels)
                missing.Add(labels);
        }
        if (FindFirst(folders, mapping) is null)
            missing.Add(mapping);
        return missing;
    }

    /// <summary>Loads any IDX image/label pair with its mapping file; images are transposed upright once, here.</summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="EmnistFormatException">A file is malformed, the counts disagree, or a label is outside the mapping.</exception>
    public static EmnistDataset LoadIdx(string imagesPath, string labelsPath, string mappingPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagesPath);
        ArgumentException.ThrowIfNullOrEmpty(labelsPath);
        ArgumentException.ThrowIfNullOrEmpty(mappingPath);

        EmnistMapping mapping = EmnistMapping.Load(mappingPath);
        byte[] rawLabels = IdxFile.ReadLabels(labelsPath);
        byte[] pixels = IdxFile.ReadImages(imagesPath, out int count);
        if (count != rawLabels.Length)
        {
            throw new EmnistFormatException(imagesPath,
                $"holds {count:N0} images but {labelsPath} holds {rawLabels.Length:N0} labels; the counts must match.");
        }

        var labels = new int[rawLabels.Length];
        for (int i = 0; i < labels.Length; i++)
            labels[i] = ToClassIndex(mapping, rawLabels[i], i, labelsPath, mappingPath);
        return new EmnistDataset(pixels, labels, mapping.Classes, Path.GetFileName(imagesPath));
    }

    /// <summary>Loads the CSV export (<c>label,p0,…,p783</c> per row, plain or gzipped) with its mapping file.</summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="EmnistFormatException">A row is malformed or a label is outside the mapping.</exception>
    public static EmnistDataset LoadCsv(string csvPath, string mappingPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(csvPath);
        ArgumentException.ThrowIfNullOrEmpty(mappingPath);

        EmnistMapping mapping = EmnistMapping.Load(mappingPath);
        (byte[] pixels, int[] labels) = EmnistCsvFile.Read(csvPath);
        for (int i = 0; i < labels.Length; i++)
            labels[i] = ToClassIndex(mapping, labels[i], i, csvPath, mappingPath);
        return new EmnistDataset(pixels, labels, mapping.Classes, Path.GetFileName(csvPath));
    }

    private static int ToClassIndex(EmnistMapping mapping, int label, int index, string dataPath, string mappingPath)
    {
        int classIndex = mapping.ToClassIndex(label);
        if (classIndex < 0)
        {
            throw new EmnistFormatException(dataPath,
                $"label {label} of item {index} is not in {Path.GetFileName(mappingPath)} (labels {mapping.FirstLabel}..{mapping.FirstLabel + mapping.Classes.Length - 1}).");
        }
        return classIndex;
    }

    private static string? FindFirst(string[] folders, params string[] names)
    {
        foreach (string folder in folders)
        {
            foreach (string name in names)
            {
                string path = Path.Combine(folder, name);
                if (File.Exists(path))
                    return path;
            }
        }
        return null;
    }
}
