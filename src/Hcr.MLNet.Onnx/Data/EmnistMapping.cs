using System.Globalization;

namespace Hcr.MLNet.Data;

/// <summary>
/// An official <c>emnist-*-mapping.txt</c>: one line per class, <c>label code [code…]</c>, where the
/// codes are the class's characters (Letters lists the capital and the small letter). Labels are
/// consecutive from 0, or from 1 in the Letters split; class indices are always 0-based.
/// </summary>
internal sealed class EmnistMapping
{
    private EmnistMapping(int firstLabel, char[] classes)
    {
        FirstLabel = firstLabel;
        Classes = classes;
    }

    /// <summary>The file's smallest label: 0, or 1 for Letters.</summary>
    public int FirstLabel { get; }

    /// <summary>The character of each class index (the first code on the class's line).</summary>
    public char[] Classes { get; }

    /// <summary>Turns a label as stored in a data file into a class index, or -1 if the mapping lacks it.</summary>
    public int ToClassIndex(int label)
    {
        int index = label - FirstLabel;
        return index >= 0 && index < Classes.Length ? index : -1;
    }

    public static EmnistMapping Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"EMNIST mapping file not found: {path}", path);
        IO.RegularFile.Require(path, problem => new EmnistFormatException(path, problem));

        var byLabel = new SortedDictionary<int, char>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2
                || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int label)
                || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int code))
            {
                throw new EmnistFormatException(path, $"line {lineNumber} is not 'label character-code': '{line}'.");
            }
            if (code is 0 or > char.MaxValue || char.IsSurrogate((char)code))
                throw new EmnistFormatException(path, $"line {lineNumber}: character code {code} is not a single UTF-16 character.");
            if (!byLabel.TryAdd(label, (char)code))
                throw new EmnistFormatException(path, $"line {lineNumber}: label {label} appears twice.");
        }

        if (byLabel.Count == 0)
            throw new EmnistFormatException(path, "the mapping is empty.");

        int first = byLabel.Keys.First();
        if (first is not (0 or 1))
            throw new EmnistFormatException(path, $"labels must start at 0 or 1, but the smallest is {first}.");
        int expected = first;
        foreach (int label in byLabel.Keys)
        {
            if (label != expected)
                throw new EmnistFormatException(path, $"labels must be consecutive, but label {expected} is missing.");
            expected++;
        }
        return new EmnistMapping(first, byLabel.Values.ToArray());
    }
}
