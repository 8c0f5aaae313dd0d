using Hcr.MLNet.Imaging;
using Hcr.MLNet.Text;

namespace Hcr.MLNet;

/// <summary>
/// From one line's class probabilities to a <see cref="TextLineReading"/>: the labels (greedy, beam or lexicon), their
/// best alignment to the line's positions (<see cref="CtcDecoding.Align"/>), and from it each character's box, its
/// confidence (its probability at its peak position) and its alternatives (the other classes at that position).
/// </summary>
internal static class LineDecoder
{
    public static int[] Labels(ReadOnlySpan<float> probabilities, TextAlphabet alphabet, ReadOptions options)
    {
        int classes = alphabet.ClassCount;
        if (options.Lexicon is { Count: > 0 } lexicon)
        {
            int[]? best = null;
            double bestScore = double.NegativeInfinity;
            foreach (string entry in lexicon)
            {
                if (entry is null || !entry.All(alphabet.Contains))
                    continue;
                int[] labels = alphabet.Encode(entry);
                double score = CtcDecoding.LogLikelihood(probabilities, classes, labels);
                if (score > bestScore)
                    (best, bestScore) = (labels, score);
            }
            if (best is not null)
                return best;
        }
        if (options.LanguageModel is { } model)
        {
            return CtcDecoding.BeamSearch(probabilities, classes, options.BeamWidth,
                new LanguageScoring(model, alphabet, options.LanguageModelWeight, options.CharacterBonus));
        }
        return options.Decoding == TextDecoding.BeamSearch
            ? CtcDecoding.BeamSearch(probabilities, classes, options.BeamWidth)
            : CtcDecoding.Greedy(probabilities, classes);
    }

    public static TextLineReading? Read(ReadOnlySpan<float> probabilities, TextAlphabet alphabet, NormalizedLine line, ReadOptions options)
    {
        int classes = alphabet.ClassCount;
        int[] labels = Labels(probabilities, alphabet, options);
        CharacterSpan[]? spans = CtcDecoding.Align(probabilities, classes, labels);
        if (spans is null)
        {
            // Only a lexicon entry can be too long for the line, and Labels never returns one with zero probability.
            labels = CtcDecoding.Greedy(probabilities, classes);
            spans = CtcDecoding.Align(probabilities, classes, labels);
        }
        // Still none only for probabilities no network gives (NaN, which TextScoring refuses): nothing read, never a NullReferenceException.
        if (spans is null || spans.Length == 0)
            return null;
        var characters = new List<TextCharacterReading>(spans.Length);
        foreach (CharacterSpan span in spans)
        {
            ReadOnlySpan<float> row = probabilities.Slice(span.Peak * classes, classes);
            int left = (int)Math.Floor(line.SourceX(span.First * TextStrip.WidthStride));
            int right = (int)Math.Ceiling(line.SourceX((span.Last + 1) * TextStrip.WidthStride));
            var box = new InkBox(left, line.Crop.Top, Math.Max(1, right - left), line.Crop.Height);
            characters.Add(new TextCharacterReading(alphabet.CharacterOf(span.Label), row[span.Label], box, Alternatives(row, alphabet, options.Alternatives)));
        }
        var words = new List<WordReading>();
        var current = new List<TextCharacterReading>();
        foreach (TextCharacterReading? c in characters.Append(null))
        {
            if (c is null || c.Character == ' ')
            {
                if (current.Count > 0)
                    words.Add(Word(current));
                current = [];
            }
            else
            {
                current.Add(c);
            }
        }
        if (words.Count == 0)
            return null; // spaces only
        double confidence = characters.Aggregate(1.0, (p, c) => p * c.Confidence);
        return new TextLineReading(string.Join(' ', words.Select(w => w.Text)), InkBox.Union(words.Select(w => w.Box)), confidence, words);
    }

    private static WordReading Word(List<TextCharacterReading> characters) => new(
        new string(characters.Select(c => c.Character).ToArray()),
        InkBox.Union(characters.Select(c => c.Box)),
        characters.Aggregate(1.0, (p, c) => p * c.Confidence),
        characters.ToArray());

    private static CharacterCandidate[] Alternatives(ReadOnlySpan<float> row, TextAlphabet alphabet, int count)
    {
        var ranked = new List<CharacterCandidate>(row.Length - 1);
        for (int c = 1; c < row.Length; c++)
            ranked.Add(new CharacterCandidate(alphabet.CharacterOf(c), row[c]));
        return ranked.OrderByDescending(a => a.Probability).Take(count).ToArray();
    }
}
