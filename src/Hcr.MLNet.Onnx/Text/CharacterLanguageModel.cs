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
/// begin and end" counts. The counts are kept as a trie of contexts in flat arrays: a few hundred thousand characters of
/// text train in about a second and take a few MB; no served package offers character n-grams for .NET.
/// </remarks>
public sealed class CharacterLanguageModel
{
    /// <summary>
    /// Characters of context plus one: 7 looks at the six characters before (the pretrained reader's model; on the text
    /// reader protocol's validation writers it read better than 5 or 6, docs/text-reader-protocol.md, L2).
    /// </summary>
    public const int DefaultOrder = 7;

    /// <summary>The longest order <see cref="Train"/> takes: beyond it the counts are too sparse to help and cost memory.</summary>
    public const int MaxOrder = 10;

    /// <summary>Stands before the first character of a text (context only).</summary>
    private const char Start = '\u0002';

    /// <summary>Follows the last character of a text.</summary>
    private const char End = '\u0003';

    private const string FileHeader = "hcr-character-language-model";
    private const int FileVersion = 1;

    // The counts as a trie of contexts read backwards (the root is the empty context; a node's children add the character
    // before its context), in flat arrays: a lookup walks from the most recent character back, as the smoothing does, by
    // binary search in sorted runs of characters, and a model of every DHSD and Copiste transcription at order 7 takes a
    // few MB instead of the tens of MB of a dictionary per context.
    private readonly int[] _total;       // per node: how many characters followed its context (0: a context no text had)
    private readonly int[] _nextStart;   // per node, and one past the last: its run in _nextChars/_nextCounts
    private readonly char[] _nextChars;  // the characters that followed each context, sorted within a node's run
    private readonly int[] _nextCounts;
    private readonly int[] _childStart;  // per node, and one past the last: its run in _childChars/_childNodes
    private readonly char[] _childChars; // the character before the context, sorted within a node's run
    private readonly int[] _childNodes;
    private readonly double _uniform;

    /// <summary>Counts while training: per context, the characters that followed it.</summary>
    private sealed class ContextCounts
    {
        public readonly Dictionary<char, int> Next = [];
    }

    /// <summary>
    /// The counts as the constructor takes them: the contexts, and for each context one run of (character, count) in
    /// <see cref="Next"/> and <see cref="Counts"/>, from <see cref="Start"/>[i] to <see cref="Start"/>[i + 1]. Loading
    /// fills it line by line without an object per context, which kept the garbage collector busy on large models.
    /// </summary>
    private sealed class CountTable
    {
        public readonly List<string> Contexts = [];
        public readonly List<int> Start = [0];
        public readonly List<char> Next = [];
        public readonly List<int> Counts = [];

        public void Add(string context)
        {
            Contexts.Add(context);
            Start.Add(Start[^1]);
        }

        public void Count(char next, int count)
        {
            Next.Add(next);
            Counts.Add(count);
            Start[^1]++;
        }
    }

    private CharacterLanguageModel(int order, CountTable table)
    {
        Order = order;
        // Nodes shortest context first, so that a context's parent (the context without its first character) has its id
        // before it; a damaged file may lack a parent, which then becomes a node without counts.
        var ids = new Dictionary<string, int>(StringComparer.Ordinal) { [""] = 0 };
        Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> idOf = ids.GetAlternateLookup<ReadOnlySpan<char>>();
        var nodes = new List<string> { "" };
        var parents = new List<int> { -1 };
        int Node(ReadOnlySpan<char> context)
        {
            if (idOf.TryGetValue(context, out int id))
                return id;
            int parent = Node(context[1..]);
            id = nodes.Count;
            string key = context.ToString();
            ids[key] = id;
            nodes.Add(key);
            parents.Add(parent);
            return id;
        }
        int[] byLength = [.. Enumerable.Range(0, table.Contexts.Count).OrderBy(i => table.Contexts[i].Length)];
        var runOf = new int[table.Contexts.Count];
        foreach (int i in byLength)
            runOf[i] = Node(table.Contexts[i]);
        int count = nodes.Count;
        var runs = new int[count];
        Array.Fill(runs, -1);
        for (int i = 0; i < runOf.Length; i++)
            runs[runOf[i]] = i;
        _total = new int[count];
        _nextStart = new int[count + 1];
        _childStart = new int[count + 1];
        _nextChars = new char[table.Next.Count];
        _nextCounts = new int[table.Next.Count];
        int filled = 0;
        for (int node = 0; node < count; node++)
        {
            _nextStart[node] = filled;
            if (runs[node] is int run and >= 0)
            {
                for (int e = table.Start[run]; e < table.Start[run + 1]; e++)
                {
                    (_nextChars[filled], _nextCounts[filled]) = (table.Next[e], table.Counts[e]);
                    _total[node] += table.Counts[e];
                    filled++;
                }
                _nextChars.AsSpan(_nextStart[node], filled - _nextStart[node]).Sort(_nextCounts.AsSpan(_nextStart[node], filled - _nextStart[node]));
            }
        }
        _nextStart[count] = filled;
        // Children grouped by parent (counting), each group sorted by the character before the context.
        for (int node = 1; node < count; node++)
            _childStart[parents[node] + 1]++;
        for (int node = 0; node < count; node++)
            _childStart[node + 1] += _childStart[node];
        _childChars = new char[count - 1];
        _childNodes = new int[count - 1];
        int[] place = _childStart[..count];
        for (int node = 1; node < count; node++)
        {
            int at = place[parents[node]]++;
            (_childChars[at], _childNodes[at]) = (nodes[node][0], node);
        }
        for (int node = 0; node < count; node++)
            _childChars.AsSpan(_childStart[node], _childStart[node + 1] - _childStart[node]).Sort(_childNodes.AsSpan(_childStart[node], _childStart[node + 1] - _childStart[node]));
        // Every character seen (the end included) plus one share for any character never seen.
        Characters = _nextStart[1] - _nextStart[0];
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
        var table = new CountTable();
        foreach ((string context, ContextCounts counts) in contexts)
        {
            table.Add(context);
            foreach ((char next, int count) in counts.Next)
                table.Count(next, count);
        }
        return new CharacterLanguageModel(order, table);
    }

    private static void Count(Dictionary<string, ContextCounts> contexts, string context, char next)
    {
        if (!contexts.TryGetValue(context, out ContextCounts? counts))
            contexts[context] = counts = new ContextCounts();
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
        // The contexts from the empty one to the last Order - 1 characters, with the start mark before a short history.
        double p = _uniform;
        int node = 0;
        for (int length = 0; length < Order; length++)
        {
            if (length > 0)
            {
                char before = length <= history.Length ? history[^length] : Start;
                int at = _childChars.AsSpan(_childStart[node], _childStart[node + 1] - _childStart[node]).BinarySearch(before);
                if (at < 0)
                    break; // a longer context is unseen if this one is
                node = _childNodes[_childStart[node] + at];
            }
            int total = _total[node];
            if (total == 0)
                break;
            int first = _nextStart[node], types = _nextStart[node + 1] - first;
            int found = _nextChars.AsSpan(first, types).BinarySearch(next);
            int seen = found < 0 ? 0 : _nextCounts[first + found];
            p = (seen + types * p) / (total + types);
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
        foreach ((string context, int node) in Contexts().OrderBy(c => c.Context, StringComparer.Ordinal))
        {
            for (int i = _nextStart[node]; i < _nextStart[node + 1]; i++)
                text.Append(Escape(context)).Append('\t').Append(Escape(_nextChars[i].ToString())).Append('\t').Append(_nextCounts[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Every node's context (walking the trie from the root), with the node.</summary>
    private List<(string Context, int Node)> Contexts()
    {
        var found = new List<(string, int)>();
        var pending = new Stack<(string, int)>();
        pending.Push(("", 0));
        while (pending.TryPop(out (string Context, int Node) item))
        {
            found.Add(item);
            for (int i = _childStart[item.Node]; i < _childStart[item.Node + 1]; i++)
                pending.Push((_childChars[i] + item.Context, _childNodes[i]));
        }
        return found;
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
        // Save writes each context's lines together, sorted: a context that comes back after others, or a character
        // counted twice after one context, is damage.
        var table = new CountTable();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var nextsOfContext = new HashSet<char>();
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
            if (table.Contexts.Count == 0 || !string.Equals(table.Contexts[^1], context, StringComparison.Ordinal))
            {
                if (!seen.Add(context))
                    throw new ModelFormatException(path, $"line {lineNumber}: the context of this count came before, apart from its other counts; the file is damaged.");
                table.Add(context);
                nextsOfContext.Clear();
            }
            if (!nextsOfContext.Add(next[0]))
                throw new ModelFormatException(path, $"line {lineNumber}: a second count for the same context and character; the file is damaged.");
            table.Count(next[0], count);
        }
        if (!seen.Contains(""))
            throw new ModelFormatException(path, "no counts of single characters; the file is truncated or damaged.");
        return new CharacterLanguageModel(order, table);
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
