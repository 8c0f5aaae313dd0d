using System.Text;
using Hcr.MLNet.IO;

namespace Hcr.MLNet.Text;

/// <summary>
/// Labelled images of handwritten words or lines, as the DHSD data set lists them: a UTF-8 CSV file
/// (<c>data.csv</c>) with the header <c>file_name,text,writer_id</c>, image paths relative to the CSV's folder.
/// Split it by writer (<see cref="SplitByWriter(double, int)"/>), never image by image: a writer's other words
/// in the validation part would measure how well the model knows that hand, not handwriting in general.
/// </summary>
public sealed class WordImageSet
{
    /// <summary>The name of the list <see cref="Load"/> looks for in a folder.</summary>
    public const string ListFileName = "data.csv";

    private static readonly string[] Header = ["file_name", "text", "writer_id"];

    private WordImageSet(IReadOnlyList<WordImage> images, string source)
    {
        Images = images;
        Source = source;
    }

    /// <summary>The images, in the order of the list.</summary>
    public IReadOnlyList<WordImage> Images { get; }

    /// <summary>Where they came from (the CSV file), and how they were selected.</summary>
    public string Source { get; }

    /// <summary>The number of images.</summary>
    public int Count => Images.Count;

    /// <summary>The writers, in order of first appearance.</summary>
    public IReadOnlyList<string> Writers => Images.Select(i => i.Writer).Distinct().ToArray();

    /// <summary>Labelled images given in memory (paths absolute or relative to the working folder).</summary>
    public static WordImageSet FromImages(IEnumerable<WordImage> images, string source = "images")
    {
        ArgumentNullException.ThrowIfNull(images);
        WordImage[] list = images.ToArray();
        if (list.Length == 0)
            throw new ArgumentException("A word-image set needs at least one image.", nameof(images));
        return new WordImageSet(list, source);
    }

    /// <summary>
    /// One set of the images of several (for example DHSD's words and Copiste's lines, to train on both). Writers keep
    /// their names, so a name found in two sets would merge two hands into one for <see cref="SplitByWriter(double, int)"/>:
    /// that is refused. Split each corpus by writer first when the splits must be drawn per corpus.
    /// </summary>
    /// <exception cref="ArgumentException">No set is given, or two sets share a writer name.</exception>
    public static WordImageSet Combine(params IReadOnlyList<WordImageSet> sets)
    {
        ArgumentNullException.ThrowIfNull(sets);
        if (sets.Count == 0)
            throw new ArgumentException("Combining needs at least one word-image set.", nameof(sets));
        if (sets.Count == 1)
            return sets[0];
        var owner = new Dictionary<string, WordImageSet>(StringComparer.Ordinal);
        foreach (WordImageSet set in sets)
        {
            ArgumentNullException.ThrowIfNull(set, nameof(sets));
            foreach (string writer in set.Writers)
            {
                if (owner.TryGetValue(writer, out WordImageSet? first) && !ReferenceEquals(first, set))
                {
                    throw new ArgumentException(
                        $"Writer '{writer}' is in both {first.Source} and {set.Source}; rename one corpus's writers (writer_id) so that each hand has its own name.",
                        nameof(sets));
                }
                owner[writer] = set;
            }
        }
        return new WordImageSet(sets.SelectMany(s => s.Images).ToArray(), string.Join(" + ", sets.Select(s => s.Source)));
    }

    /// <summary>
    /// Reads the list at <paramref name="csvOrFolder"/>: a CSV file, or a folder holding <see cref="ListFileName"/>.
    /// Every image it names must exist.
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing at <paramref name="csvOrFolder"/>, or a folder without <see cref="ListFileName"/>.</exception>
    /// <exception cref="WordImageFormatException">
    /// The list is malformed or names a missing image (the message names the file and line), or it is a named pipe, a socket or a device.
    /// </exception>
    public static WordImageSet Load(string csvOrFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(csvOrFolder);
        string csv = csvOrFolder;
        if (Directory.Exists(csvOrFolder))
        {
            csv = System.IO.Path.Combine(csvOrFolder, ListFileName);
            if (!File.Exists(csv))
                throw new FileNotFoundException($"{csvOrFolder}: the folder has no {ListFileName} listing its word images (file_name,text,writer_id).", csv);
        }
        else if (!File.Exists(csv))
        {
            throw new FileNotFoundException($"Word-image list not found: {csvOrFolder}", csvOrFolder);
        }
        csv = System.IO.Path.GetFullPath(csv);
        RegularFile.Require(csv, problem => new WordImageFormatException(csv, null, problem));
        string folder = System.IO.Path.GetDirectoryName(csv) ?? ".";
        var images = new List<WordImage>();
        int lineNumber = 0;
        // Strict UTF-8: a file in another encoding would silently garble the umlauts, and with them the alphabet.
        using var reader = new StreamReader(csv, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
        try
        {
            string? line = reader.ReadLine();
            lineNumber++;
            if (line is null)
                throw new WordImageFormatException(csv, null, "the file is empty; it needs the header file_name,text,writer_id.");
            List<string> header = SplitCsvLine(line, csv, lineNumber);
            if (!header.Select(h => h.Trim()).SequenceEqual(Header))
                throw new WordImageFormatException(csv, lineNumber, $"the header is '{line}'; it must be '{string.Join(",", Header)}'.");
            while ((line = reader.ReadLine()) is not null)
            {
                lineNumber++;
                if (line.Length == 0)
                    continue;
                List<string> fields = SplitCsvLine(line, csv, lineNumber);
                if (fields.Count != Header.Length)
                    throw new WordImageFormatException(csv, lineNumber, $"{fields.Count} fields where {Header.Length} are needed (file_name,text,writer_id).");
                string file = fields[0], text = fields[1], writer = fields[2].Trim();
                if (file.Length == 0)
                    throw new WordImageFormatException(csv, lineNumber, "the file name is empty.");
                if (text.Trim().Length == 0)
                    throw new WordImageFormatException(csv, lineNumber, $"the text of {file} is empty.");
                if (text.Any(char.IsControl))
                    throw new WordImageFormatException(csv, lineNumber, $"the text of {file} holds a control character.");
                if (writer.Length == 0)
                    throw new WordImageFormatException(csv, lineNumber, $"the writer of {file} is empty; images are split by writer.");
                string path = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, file));
                if (!File.Exists(path))
                    throw new WordImageFormatException(csv, lineNumber, $"the image {file} does not exist ({path}).");
                images.Add(new WordImage(path, text, writer));
            }
        }
        catch (DecoderFallbackException e)
        {
            throw new WordImageFormatException(csv, lineNumber + 1, "the file is not valid UTF-8.", e);
        }
        if (images.Count == 0)
            throw new WordImageFormatException(csv, null, "the list names no images.");
        return new WordImageSet(images, csv);
    }

    /// <summary>
    /// Splits by writer: about <paramref name="validationFraction"/> of the writers (at least one, and at least one left
    /// for training), drawn with <paramref name="seed"/>, go to validation with all their images.
    /// </summary>
    public (WordImageSet Train, WordImageSet Validation) SplitByWriter(double validationFraction, int seed)
    {
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be between 0 and 1 (exclusive).");
        IReadOnlyList<string> writers = Writers;
        if (writers.Count < 2)
            throw new InvalidOperationException($"{Source} has {writers.Count} writer; a split by writer needs at least two.");
        // Sorted first, so that the draw depends on the seed and the writers, not on the order of the list.
        string[] shuffled = writers.Order(StringComparer.Ordinal).ToArray();
        new Random(seed).Shuffle(shuffled);
        int held = Math.Clamp((int)Math.Round(validationFraction * writers.Count), 1, writers.Count - 1);
        return SplitByWriter(shuffled.Take(held));
    }

    /// <summary>Splits by writer: the images of <paramref name="validationWriters"/> are validation, the others training.</summary>
    /// <exception cref="ArgumentException">A writer is not in the set, or none or all of them are named.</exception>
    public (WordImageSet Train, WordImageSet Validation) SplitByWriter(IEnumerable<string> validationWriters)
    {
        ArgumentNullException.ThrowIfNull(validationWriters);
        var held = new HashSet<string>(validationWriters, StringComparer.Ordinal);
        string[] unknown = held.Except(Writers, StringComparer.Ordinal).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"{Source} has no writer {string.Join(", ", unknown)}.", nameof(validationWriters));
        WordImage[] validation = Images.Where(i => held.Contains(i.Writer)).ToArray();
        WordImage[] train = Images.Where(i => !held.Contains(i.Writer)).ToArray();
        if (validation.Length == 0 || train.Length == 0)
            throw new ArgumentException("A split by writer needs writers on both sides.", nameof(validationWriters));
        string names = string.Join(",", held.Order(StringComparer.Ordinal));
        return (new WordImageSet(train, $"{Source} without writers {names}"), new WordImageSet(validation, $"{Source} writers {names}"));
    }

    /// <summary>
    /// At most <paramref name="count"/> images, drawn evenly from every writer with <paramref name="seed"/> (for quick runs):
    /// the set, unchanged, when it has no more.
    /// </summary>
    public WordImageSet Subset(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (count >= Count)
            return this;
        var random = new Random(seed);
        // Round-robin over writers, each writer's images shuffled, so that a small subset still has every hand.
        List<Queue<WordImage>> byWriter = Images.GroupBy(i => i.Writer)
            .Select(g => new Queue<WordImage>(g.OrderBy(_ => random.Next()))).ToList();
        var picked = new List<WordImage>(count);
        while (picked.Count < count)
        {
            foreach (Queue<WordImage> queue in byWriter)
            {
                if (picked.Count < count && queue.Count > 0)
                    picked.Add(queue.Dequeue());
            }
        }
        return new WordImageSet(picked, $"{Source} ({count} images, seed {seed})");
    }

    /// <summary>One CSV line's fields (RFC 4180 quoting: <c>"a, b"</c> and <c>""</c> for a quote; no line breaks inside fields).</summary>
    internal static List<string> SplitCsvLine(string line, string file, int lineNumber)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, wasQuoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c != '"')
                    field.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"')
                    field.Append(line[++i]);
                else
                    quoted = false;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
                wasQuoted = false;
            }
            else if (c == '"' && field.Length == 0 && !wasQuoted)
            {
                quoted = wasQuoted = true;
            }
            else if (wasQuoted)
            {
                throw new WordImageFormatException(file, lineNumber, $"text after a closing quote in field {fields.Count + 1}.");
            }
            else
            {
                field.Append(c);
            }
        }
        if (quoted)
            throw new WordImageFormatException(file, lineNumber, $"a quote in field {fields.Count + 1} is never closed (fields cannot span lines).");
        fields.Add(field.ToString());
        return fields;
    }
}
