using System.Globalization;
using System.Text;
using Hcr.MLNet.IO;

namespace Hcr.MLNet.Text;

/// <summary>
/// A character n-gram language model: how probable each next character is after the few before it, learned from texts
/// of the kind to be read (street names, addresses, a language's prose). Given to beam search
/// (<see cref="ReadOptions.LanguageModel"/>), it prefers readings that look like those texts where the network hesitates
/// ("Straße" over "Strabe") without restricting what can be read, as a <see cref="ReadOptions.Lexicon"/> does.
/// </summary>
/// <remarks>
/// Interpolated Witten–Bell smoothing: the probability after a context mixes what followed that context in the texts
/// with the probability after the context one character shorter, by how many different characters followed it, down to
/// a uniform share for characters never seen. The start and the end of a text are modelled too, so that "how words
/// begin and end" counts. Plain counts in dictionaries: a few hundred thousand characters of text train in well under a
/// second; no served package offers character n-grams for .NET.
/// </remarks>
public sealed class CharacterLanguageModel
{
    /// <summary>Characters of context plus one: 5 looks at the four characters before.</summary>
    public const int DefaultOrder = 5;

    /// <summary>The longest order <see cref="Train"/> takes: beyond it the counts are too sparse to help and cost memory.</summary>
    public const int MaxOrder = 10;

    /// <summary>Stands before the first character of a text (context only).</summary>
    private const char Start = '\u0002';

    /// <summary>Follows the last character of a text.</summary>
    private const char End = '\u0003';

    private const string FileHeader = "hcr-character-language-model";
    private const int FileVersion = 1;

    private readonly Dictionary<string, ContextCounts> _contexts;
    private readonly Dictionary<string, ContextCounts>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly double _uniform;

    private sealed class ContextCounts
    {
        public int Total;
        public readonly Dictionary<char, int> Next = [];
    }

    private CharacterLanguageModel(int order, Dictionary<string, ContextCounts> contexts)
    {
        Order = order;
        _contexts = contexts;
        _lookup = contexts.GetAlternateLookup<ReadOnlySpan<char>>();
        // Every character seen (the end included) plus one share for any character never seen.
        Characters = contexts.TryGetValue("", out ContextCounts? root) ? root.Next.Count : 0;
        _uniform = 1.0 / (Characters + 1);
    }

    /// <summary>The n-gram order: the probability of a character looks at the <c>Order - 1</c> before it.</summary>
    public int Order { get; }

    /// <summary>How many different characters the texts held (the end of a text counted as one).</summary>
    public int Characters { get; }

    /// <summary>Counts the n-grams of <paramref name="texts"/> (empty and blank texts are skipped).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="order"/> is below 1 or above <see cref="MaxOrder"/>.</exception>
    /// <exception cref="ArgumentException">There is no text, or a text holds the control characters U+0002 or U+0003, which mark its start and end.</exception>
    public static CharacterLanguageModel Train(IEnumerable<string> texts, int order = DefaultOrder)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (order is < 1 or > MaxOrder)
            throw new ArgumentOutOfRangeException(nameof(order), order, $"The order must be 1 to {MaxOrder}.");
        var contexts = new Dictionary<string, ContextCounts>(StringComparer.Ordinal);
        int used = 0;
        foreach (string text in texts)
        {
            if (string.IsNullOrWhiteSpace(text))
                continue;
            if (text.Contains(Start) || text.Contains(End))
                throw new ArgumentException($"The text \"{text}\" holds U+0002 or U+0003, which mark a text's start and end.", nameof(texts));
            used++;
            string padded = new string(Start, order - 1) + text + End;
            for (int i = order - 1; i < padded.Length; i++)
            {
                for (int n = 0; n < order; n++)
                    Count(contexts, padded.Substring(i - n, n), padded[i]);
            }
        }
        if (used == 0)
            throw new ArgumentException("There is no text to learn from.", nameof(texts));
        return new CharacterLanguageModel(order, contexts);
    }

    private static void Count(Dictionary<string, ContextCounts> contexts, string context, char next)
    {
        if (!contexts.TryGetValue(context, out ContextCounts? counts))
            contexts[context] = counts = new ContextCounts();
        counts.Total++;
        counts.Next[next] = counts.Next.GetValueOrDefault(next) + 1;
    }

    /// <summary>The natural log of the probability of <paramref name="next"/> after <paramref name="history"/> (the text so far).</summary>
    public double LogProbability(ReadOnlySpan<char> history, char next) => Math.Log(Probability(history, next));

    /// <summary>The natural log of the probability that a text ends after <paramref name="history"/>.</summary>
    public double EndLogProbability(ReadOnlySpan<char> history) => Math.Log(Probability(history, End));

    /// <summary>The natural log of the probability of the whole of <paramref name="text"/>, its end included.</summary>
    public double LogProbability(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        double sum = 0;
        for (int i = 0; i < text.Length; i++)
            sum += LogProbability(text.AsSpan(0, i), text[i]);
        return sum + EndLogProbability(text);
    }

    private double Probability(ReadOnlySpan<char> history, char next)
    {
        // The context: the last Order - 1 characters, with the start mark before a short history.
        int n = Order - 1;
        Span<char> context = stackalloc char[n];
        int fromHistory = Math.Min(n, history.Length);
        context[..(n - fromHistory)].Fill(Start);
        history[^fromHistory..].CopyTo(context[(n - fromHistory)..]);

        double p = _uniform;
        for (int length = 0; length <= n; length++)
        {
            if (!_lookup.TryGetValue(context[(n - length)..], out ContextCounts? counts))
                break; // a longer context is unseen if this one is
            int types = counts.Next.Count;
            p = (counts.Next.GetValueOrDefault(next) + types * p) / (counts.Total + types);
        }
        return p;
    }

    /// <summary>Saves the counts as UTF-8 text, atomically.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.WriteAllBytes(path, ToBytes());
    }

    /// <summary>The counts as <see cref="Save"/> writes them (UTF-8 text), for a file that carries the model in an entry of its own.</summary>
    internal byte[] ToBytes()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{FileHeader} {FileVersion} {Order}\n");
        foreach ((string context, ContextCounts counts) in _contexts.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            foreach ((char next, int count) in counts.Next.OrderBy(c => c.Key))
                text.Append(Escape(context)).Append('\t').Append(Escape(next.ToString())).Append('\t').Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Loads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ModelFormatException">The file is not a character language model, or is damaged; the message names the file and the line.</exception>
    public static CharacterLanguageModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ModelFormats.RequireFile(path, "character language model");
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Read(reader, path);
    }

    /// <summary>A model saved by <see cref="Save"/> and gzipped, read from <paramref name="stream"/> (named <paramref name="source"/> in errors).</summary>
    internal static CharacterLanguageModel LoadGzip(Stream stream, string source)
    {
        using var unzipped = new System.IO.Compression.GZipStream(stream, System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(unzipped, Encoding.UTF8);
        return Read(reader, source);
    }

    /// <summary>A model in the text <see cref="Save"/> writes, read from <paramref name="reader"/> (named <paramref name="path"/> in errors).</summary>
    internal static CharacterLanguageModel Read(TextReader reader, string path)
    {
        string[] header = (reader.ReadLine() ?? "").Split(' ');
        if (header.Length != 3 || header[0] != FileHeader)
            throw new ModelFormatException(path, "not a character language model (its first line is not the header CharacterLanguageModel.Save writes).");
        if (header[1] != FileVersion.ToString(CultureInfo.InvariantCulture))
            throw new ModelFormatException(path, $"format version {header[1]}; this version of Hcr.MLNet reads {FileVersion}.");
        if (!int.TryParse(header[2], NumberStyles.None, CultureInfo.InvariantCulture, out int order) || order is < 1 or > MaxOrder)
            throw new ModelFormatException(path, $"line 1: the order '{header[2]}' is not 1 to {MaxOrder}.");
        var contexts = new Dictionary<string, ContextCounts>(StringComparer.Ordinal);
        int lineNumber = 1;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            string[] fields = line.Split('\t');
            string context = fields.Length == 3 ? Unescape(fields[0]) : "";
            string next = fields.Length == 3 ? Unescape(fields[1]) : "";
            if (fields.Length != 3 || context.Length >= order || next.Length != 1
                || !int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count <= 0)
            {
                throw new ModelFormatException(path, $"line {lineNumber}: expected a context shorter than the order, a tab, one character, a tab and a positive count; the file is damaged.");
            }
            if (!contexts.TryGetValue(context, out ContextCounts? counts))
                contexts[context] = counts = new ContextCounts();
            if (!counts.Next.TryAdd(next[0], count))
                throw new ModelFormatException(path, $"line {lineNumber}: a second count for the same context and character; the file is damaged.");
            counts.Total += count;
        }
        if (!contexts.ContainsKey(""))
            throw new ModelFormatException(path, "no counts of single characters; the file is truncated or damaged.");
        return new CharacterLanguageModel(order, contexts);
    }

    // Tabs, newlines and backslashes would break the line format; the start and end marks are written as themselves escaped.
    private static string Escape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);

    private static string Unescape(string s)
    {
        if (!s.Contains('\\'))
            return s;
        var result = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length)
            {
                i++;
                result.Append(s[i] switch { 't' => '\t', 'n' => '\n', 'r' => '\r', _ => s[i] });
            }
            else
            {
                result.Append(s[i]);
            }
        }
        return result.ToString();
    }
}
