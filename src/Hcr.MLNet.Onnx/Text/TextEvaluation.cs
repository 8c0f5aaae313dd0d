using System.Globalization;

namespace Hcr.MLNet.Text;

/// <summary>How well texts were read, against their labels.</summary>
/// <param name="Count">Images read.</param>
/// <param name="CharacterErrorRate">Character edits (insertions, deletions, substitutions) to turn the readings into the labels, per label character.</param>
/// <param name="WordErrorRate">The same over space-separated words.</param>
/// <param name="TextAccuracy">The fraction of images whose whole text was read exactly (for one-word images, the word accuracy).</param>
public sealed record TextEvaluation(int Count, double CharacterErrorRate, double WordErrorRate, double TextAccuracy)
{
    /// <summary>Scores <paramref name="readings"/> against <paramref name="labels"/>, pair by pair.</summary>
    public static TextEvaluation Score(IReadOnlyList<string> readings, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(readings);
        ArgumentNullException.ThrowIfNull(labels);
        if (readings.Count != labels.Count)
            throw new ArgumentException($"{readings.Count} readings for {labels.Count} labels.", nameof(readings));
        long characterEdits = 0, characters = 0, wordEdits = 0, words = 0;
        int exact = 0;
        for (int i = 0; i < labels.Count; i++)
        {
            characterEdits += EditDistance(readings[i].AsSpan(), labels[i].AsSpan());
            characters += labels[i].Length;
            string[] read = Words(readings[i]), truth = Words(labels[i]);
            wordEdits += EditDistance<string>(read, truth);
            words += truth.Length;
            if (string.Equals(readings[i], labels[i], StringComparison.Ordinal))
                exact++;
        }
        return new TextEvaluation(labels.Count, (double)characterEdits / Math.Max(1, characters), (double)wordEdits / Math.Max(1, words),
            (double)exact / Math.Max(1, labels.Count));
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions, each costing one.</summary>
    public static int EditDistance<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (EqualityComparer<T>.Default.Equals(a[i - 1], b[j - 1]) ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    private static string[] Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"CER {CharacterErrorRate:P2}, WER {WordErrorRate:P2}, exact {TextAccuracy:P2} on {Count} images");
}
