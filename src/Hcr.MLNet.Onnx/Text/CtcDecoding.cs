namespace Hcr.MLNet.Text;

/// <summary>
/// CTC decoding of one line's class probabilities (<c>T</c> positions × <c>C</c> classes, row-major, each row summing
/// to 1, class <see cref="TextAlphabet.Blank"/> the blank): greedy (best class per position, repeats merged, blanks
/// dropped), prefix beam search (the label sequence with the highest total probability over all its alignments, kept
/// to a beam), the forward algorithm (a given sequence's total probability, for lexicon decoding), and the best
/// alignment of a sequence to the positions (where each character is, and how sure the network is of it).
/// </summary>
internal static class CtcDecoding
{
    private const int Blank = TextAlphabet.Blank;

    /// <summary>Classes under this probability at a position do not extend beam prefixes: they cannot change the best few.</summary>
    private const float BeamPruneProbability = 1e-4f;

    /// <summary>The best class at every position, repeats merged and blanks dropped.</summary>
    public static int[] Greedy(ReadOnlySpan<float> probabilities, int classes)
    {
        int positions = Positions(probabilities, classes);
        var labels = new List<int>();
        int previous = Blank;
        for (int t = 0; t < positions; t++)
        {
            int best = ArgMax(probabilities.Slice(t * classes, classes));
            if (best != Blank && best != previous)
                labels.Add(best);
            previous = best;
        }
        return labels.ToArray();
    }

    /// <summary>
    /// Prefix beam search: keeps the <paramref name="beamWidth"/> most probable label prefixes, each with the probability
    /// of its alignments ending in a blank and ending in its last label, so that "aa" (a, blank, a) and "a" (a, a) stay apart.
    /// It finds sequences whose probability is spread over several alignments, which greedy decoding misses.
    /// With <paramref name="language"/>, a prefix's rank also counts its language score (<see cref="LanguageScoring"/>),
    /// added once per label when the prefix is made and once for the end when the best is chosen.
    /// </summary>
    public static int[] BeamSearch(ReadOnlySpan<float> probabilities, int classes, int beamWidth, LanguageScoring? language = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(beamWidth);
        int positions = Positions(probabilities, classes);
        // Prefixes are nodes of a tree (node 0 the empty prefix), so that extending one and looking it up cost an integer,
        // not a string as long as the line. Each beam: its node → (log P ending in blank, log P ending in its last label).
        var tree = new PrefixTree(language);
        var beams = new Dictionary<int, (double Blank, double Label)> { [0] = (0, double.NegativeInfinity) };
        var next = new Dictionary<int, (double Blank, double Label)>();
        // Best rank first, equal ranks by node, so that the same table always keeps the same beams.
        var ranked = new PriorityQueue<int, (double Rank, int Node)>(
            Comparer<(double Rank, int Node)>.Create((x, y) => x.Rank != y.Rank ? y.Rank.CompareTo(x.Rank) : x.Node.CompareTo(y.Node)));
        for (int t = 0; t < positions; t++)
        {
            ReadOnlySpan<float> row = probabilities.Slice(t * classes, classes);
            next.Clear();
            foreach ((int node, (double pb, double pl)) in beams)
            {
                double total = LogAdd(pb, pl);
                int last = tree.Label(node);
                Add(next, node, blank: total + Log(row[Blank]), label: double.NegativeInfinity);
                for (int c = 1; c < classes; c++)
                {
                    if (row[c] < BeamPruneProbability)
                        continue;
                    double p = Log(row[c]);
                    int longer = tree.Child(node, c);
                    if (c == last)
                    {
                        // The same label again: without a blank between, it extends the last label; after one, it is a new one.
                        Add(next, node, blank: double.NegativeInfinity, label: pl + p);
                        Add(next, longer, blank: double.NegativeInfinity, label: pb + p);
                    }
                    else
                    {
                        Add(next, longer, blank: double.NegativeInfinity, label: total + p);
                    }
                }
            }
            // A prefix whose language score is not known yet enters with a bound of it (its parent's score plus the most one
            // label can add), which is never below the true rank: it is scored only if the bound reaches the top, and then
            // goes back in with its true rank. The beams kept are those a full scoring would keep; most candidates, far
            // below the best, are never scored.
            ranked.Clear();
            foreach ((int node, (double b, double l)) in next)
            {
                double ctc = LogAdd(b, l);
                ranked.Enqueue(node, (ctc + (tree.IsScored(node) ? tree.Score(node) : tree.Bound(node)), node));
            }
            beams.Clear();
            while (beams.Count < beamWidth && ranked.TryDequeue(out int top, out _))
            {
                if (tree.IsScored(top))
                {
                    beams[top] = next[top];
                }
                else
                {
                    (double b, double l) = next[top];
                    ranked.Enqueue(top, (LogAdd(b, l) + tree.Score(top), top));
                }
            }
        }
        int best = 0;
        double bestRank = double.NegativeInfinity;
        foreach ((int node, (double b, double l)) in beams.OrderBy(b => b.Key))
        {
            double rank = LogAdd(b, l) + tree.Score(node) + tree.Finish(node);
            if (rank > bestRank)
                (best, bestRank) = (node, rank);
        }
        return tree.Labels(best);
    }

    /// <summary>
    /// The label prefixes beam search has made, as a tree: each node a prefix, its parent the prefix one label shorter.
    /// With a language model, each node keeps its prefix's language score, computed once when the node is made.
    /// </summary>
    private sealed class PrefixTree(LanguageScoring? language)
    {
        private readonly List<int> _parent = [-1];
        private readonly List<int> _label = [-1];
        private readonly List<double> _score = [0];
        private readonly List<bool> _scored = [true];
        private readonly Dictionary<long, int> _children = [];

        /// <summary>The prefix's last label; -1 for the empty prefix.</summary>
        public int Label(int node) => _label[node];

        /// <summary>Whether the prefix's language score is known (always without a model).</summary>
        public bool IsScored(int node) => _scored[node];

        /// <summary>At least the prefix's language score: its parent's plus the most one label can add.</summary>
        public double Bound(int node) => Score(_parent[node]) + language!.MaxExtension;

        /// <summary>The prefix's language score (0 without a model), computed on first use.</summary>
        public double Score(int node)
        {
            if (!_scored[node])
            {
                Span<char> history = stackalloc char[language!.Model.Order - 1];
                _score[node] = Score(_parent[node]) + language.Extend(History(_parent[node], history), _label[node]);
                _scored[node] = true;
            }
            return _score[node];
        }

        /// <summary>The language score of the text ending after the prefix (0 without a model).</summary>
        public double Finish(int node)
        {
            if (language is null)
                return 0;
            Span<char> history = stackalloc char[language.Model.Order - 1];
            return language.Finish(History(node, history));
        }

        /// <summary>The node of <paramref name="node"/>'s prefix followed by <paramref name="label"/>, made on first use.</summary>
        public int Child(int node, int label)
        {
            long key = ((long)node << 32) | (uint)label;
            if (_children.TryGetValue(key, out int child))
                return child;
            child = _parent.Count;
            _parent.Add(node);
            _label.Add(label);
            // Scored when first needed (Score), which most candidates never are.
            _score.Add(0);
            _scored.Add(language is null);
            _children[key] = child;
            return child;
        }

        /// <summary>The prefix's labels, first to last.</summary>
        public int[] Labels(int node)
        {
            var labels = new List<int>();
            for (; node > 0; node = _parent[node])
                labels.Add(_label[node]);
            labels.Reverse();
            return [.. labels];
        }

        /// <summary>The characters of the prefix's last labels, as many as <paramref name="buffer"/> holds at most, first to last.</summary>
        private ReadOnlySpan<char> History(int node, Span<char> buffer)
        {
            int n = 0;
            for (; node > 0 && n < buffer.Length; node = _parent[node])
                buffer[buffer.Length - 1 - n++] = language!.Alphabet.CharacterOf(_label[node]);
            return buffer[(buffer.Length - n)..];
        }
    }

    /// <summary>
    /// The natural log of the probability of <paramref name="labels"/> summed over all its alignments (CTC's forward
    /// algorithm); negative infinity when the line has too few positions to hold it.
    /// </summary>
    public static double LogLikelihood(ReadOnlySpan<float> probabilities, int classes, IReadOnlyList<int> labels)
    {
        int positions = Positions(probabilities, classes);
        // Each label needs a position of its own: a longer lexicon entry cannot fit, and is refused without its O(positions × length) pass.
        if (labels.Count > positions)
            return double.NegativeInfinity;
        int states = 2 * labels.Count + 1;
        var alpha = new double[states];
        var next = new double[states];
        Array.Fill(alpha, double.NegativeInfinity);
        if (positions == 0)
            return labels.Count == 0 ? 0 : double.NegativeInfinity;
        alpha[0] = Log(probabilities[Blank]);
        if (labels.Count > 0)
            alpha[1] = Log(probabilities[labels[0]]);
        for (int t = 1; t < positions; t++)
        {
            ReadOnlySpan<float> row = probabilities.Slice(t * classes, classes);
            for (int s = 0; s < states; s++)
            {
                int label = State(labels, s);
                double sum = LogAdd(alpha[s], s > 0 ? alpha[s - 1] : double.NegativeInfinity);
                if (CanSkip(labels, s))
                    sum = LogAdd(sum, alpha[s - 2]);
                next[s] = sum + Log(row[label]);
            }
            (alpha, next) = (next, alpha);
        }
        return states > 1 ? LogAdd(alpha[states - 1], alpha[states - 2]) : alpha[0];
    }

    /// <summary>
    /// The most probable single alignment of <paramref name="labels"/> (Viterbi over CTC's states): for each label the
    /// first and last position it covers and the position where its probability peaks; null when the line has too few
    /// positions to hold the labels.
    /// </summary>
    public static CharacterSpan[]? Align(ReadOnlySpan<float> probabilities, int classes, IReadOnlyList<int> labels)
    {
        int positions = Positions(probabilities, classes);
        int states = 2 * labels.Count + 1;
        if (positions == 0)
            return labels.Count == 0 ? [] : null;
        var score = new double[positions, states];
        var from = new int[positions, states];
        for (int s = 0; s < states; s++)
            score[0, s] = double.NegativeInfinity;
        score[0, 0] = Log(probabilities[Blank]);
        if (labels.Count > 0)
            score[0, 1] = Log(probabilities[labels[0]]);
        for (int t = 1; t < positions; t++)
        {
            ReadOnlySpan<float> row = probabilities.Slice(t * classes, classes);
            for (int s = 0; s < states; s++)
            {
                double best = score[t - 1, s];
                int origin = s;
                if (s > 0 && score[t - 1, s - 1] > best)
                    (best, origin) = (score[t - 1, s - 1], s - 1);
                if (CanSkip(labels, s) && score[t - 1, s - 2] > best)
                    (best, origin) = (score[t - 1, s - 2], s - 2);
                score[t, s] = best + Log(row[State(labels, s)]);
                from[t, s] = origin;
            }
        }
        int state = states - 1;
        if (states > 1 && score[positions - 1, states - 2] > score[positions - 1, state])
            state = states - 2;
        if (double.IsNegativeInfinity(score[positions - 1, state]))
            return null;
        var first = new int[labels.Count];
        var last = new int[labels.Count];
        var peak = new int[labels.Count];
        Array.Fill(first, -1);
        for (int t = positions - 1; t >= 0; t--)
        {
            if (state % 2 == 1)
            {
                int k = state / 2;
                if (first[k] < 0 || t < first[k])
                {
                    if (first[k] < 0)
                    {
                        last[k] = t;
                        peak[k] = t;
                    }
                    first[k] = t;
                }
                if (probabilities[t * classes + labels[k]] >= probabilities[peak[k] * classes + labels[k]])
                    peak[k] = t;
            }
            state = from[t, state];
        }
        var spans = new CharacterSpan[labels.Count];
        for (int k = 0; k < spans.Length; k++)
            spans[k] = new CharacterSpan(labels[k], first[k], last[k], peak[k]);
        return spans;
    }

    /// <summary>The index of the largest value.</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
                best = i;
        }
        return best;
    }

    private static int Positions(ReadOnlySpan<float> probabilities, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if (probabilities.Length % classes != 0)
            throw new ArgumentException($"{probabilities.Length} probabilities are not a whole number of rows of {classes} classes.", nameof(probabilities));
        return probabilities.Length / classes;
    }

    /// <summary>State <paramref name="s"/> of the CTC lattice: even states are blanks, odd state 2k+1 is label k.</summary>
    private static int State(IReadOnlyList<int> labels, int s) => s % 2 == 0 ? Blank : labels[s / 2];

    /// <summary>A label state may be entered from the label before the blank before it, unless both labels are equal.</summary>
    private static bool CanSkip(IReadOnlyList<int> labels, int s) => s % 2 == 1 && s >= 3 && labels[s / 2] != labels[s / 2 - 1];

    private static void Add(Dictionary<int, (double Blank, double Label)> beams, int prefix, double blank, double label)
    {
        (double b, double l) = beams.TryGetValue(prefix, out var old) ? old : (double.NegativeInfinity, double.NegativeInfinity);
        beams[prefix] = (LogAdd(b, blank), LogAdd(l, label));
    }

    private static double Log(float p) => p > 0 ? Math.Log(p) : double.NegativeInfinity;

    private static double LogAdd(double a, double b)
    {
        if (double.IsNegativeInfinity(a))
            return b;
        if (double.IsNegativeInfinity(b))
            return a;
        double max = Math.Max(a, b);
        return max + Math.Log(Math.Exp(a - max) + Math.Exp(b - max));
    }
}

/// <summary>Where one decoded character lies along the line: its class, first and last position, and the position of its peak.</summary>
internal readonly record struct CharacterSpan(int Label, int First, int Last, int Peak);
