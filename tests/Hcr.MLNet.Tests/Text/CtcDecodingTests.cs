using Hcr.MLNet.Text;
using Hcr.MLNet.Imaging;

namespace Hcr.MLNet.Tests.Text;

/// <summary>CTC decoding on hand-made probability tables (class 0 the blank), checked against brute force where it can be.</summary>
public class CtcDecodingTests
{
    private const int B = TextAlphabet.Blank;

    /// <summary>A table whose row t puts <paramref name="p"/> on <paramref name="best"/>[t] and spreads the rest evenly.</summary>
    private static float[] Peaked(int classes, double p, params int[] best)
    {
        var table = new float[best.Length * classes];
        for (int t = 0; t < best.Length; t++)
        {
            for (int c = 0; c < classes; c++)
                table[t * classes + c] = (float)(c == best[t] ? p : (1 - p) / (classes - 1));
        }
        return table;
    }

    private static float[] RandomTable(int positions, int classes, int seed)
    {
        var random = new Random(seed);
        var table = new float[positions * classes];
        for (int t = 0; t < positions; t++)
        {
            double sum = 0;
            for (int c = 0; c < classes; c++)
                sum += table[t * classes + c] = (float)(0.05 + random.NextDouble());
            for (int c = 0; c < classes; c++)
                table[t * classes + c] /= (float)sum;
        }
        return table;
    }

    /// <summary>Every path's probability, summed by the label sequence it collapses to.</summary>
    private static Dictionary<string, double> BruteForce(float[] table, int classes)
    {
        int positions = table.Length / classes;
        var totals = new Dictionary<string, double>();
        int paths = (int)Math.Pow(classes, positions);
        for (int path = 0; path < paths; path++)
        {
            double p = 1;
            var labels = new List<int>();
            int previous = B, rest = path;
            for (int t = 0; t < positions; t++)
            {
                int c = rest % classes;
                rest /= classes;
                p *= table[t * classes + c];
                if (c != B && c != previous)
                    labels.Add(c);
                previous = c;
            }
            string key = string.Join(",", labels);
            totals[key] = totals.GetValueOrDefault(key) + p;
        }
        return totals;
    }

    [Fact]
    public void GreedyMergesRepeatsAndDropsBlanks()
    {
        // a a _ a b b _ → "a a b": the blank separates the two a's, the repeated b's merge.
        float[] table = Peaked(3, 0.9, 1, 1, B, 1, 2, 2, B);
        Assert.Equal([1, 1, 2], CtcDecoding.Greedy(table, 3));
    }

    [Fact]
    public void GreedyOfAllBlanksIsEmpty() => Assert.Empty(CtcDecoding.Greedy(Peaked(3, 0.9, B, B, B), 3));

    [Fact]
    public void BeamSearchFindsTheSequenceWhoseProbabilityIsSpreadOverAlignments()
    {
        // Each position: blank 0.6, 'a' 0.4. Greedy reads blank, blank: "" (0.36); but "a" has a,a + a,_ + _,a = 0.64.
        float[] table = [0.6f, 0.4f, 0.6f, 0.4f];
        Assert.Empty(CtcDecoding.Greedy(table, 2));
        Assert.Equal([1], CtcDecoding.BeamSearch(table, 2, beamWidth: 4));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void BeamSearchWithAWideBeamFindsTheMostProbableSequence(int seed)
    {
        float[] table = RandomTable(5, 3, seed);
        Dictionary<string, double> totals = BruteForce(table, 3);
        string best = totals.MaxBy(kv => kv.Value).Key;
        Assert.Equal(best, string.Join(",", CtcDecoding.BeamSearch(table, 3, beamWidth: 100)));
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 1 })]
    [InlineData(new[] { 1, 1 })]
    [InlineData(new[] { 2, 1, 2 })]
    [InlineData(new[] { 1, 2, 1, 2 })]
    public void LogLikelihoodIsTheSumOverAllAlignments(int[] labels)
    {
        float[] table = RandomTable(5, 3, seed: 7);
        double expected = BruteForce(table, 3).GetValueOrDefault(string.Join(",", labels));
        Assert.Equal(expected, Math.Exp(CtcDecoding.LogLikelihood(table, 3, labels)), 1e-6);
    }

    [Fact]
    public void ASequenceTooLongForTheLineHasZeroProbabilityAndNoAlignment()
    {
        // "aa" needs a, _, a: three positions.
        float[] table = RandomTable(2, 3, seed: 1);
        Assert.Equal(double.NegativeInfinity, CtcDecoding.LogLikelihood(table, 3, [1, 1]));
        Assert.Null(CtcDecoding.Align(table, 3, [1, 1]));
    }

    [Fact]
    public void AlignmentFindsEachCharactersPositionsAndPeak()
    {
        // _ a a _ _ b _ a: 'a' at 1-2 (peak where it is surest), 'b' at 5, 'a' at 7.
        float[] table = Peaked(3, 0.9, B, 1, 1, B, B, 2, B, 1);
        table[2 * 3 + 1] = 0.95f;
        table[2 * 3 + 0] = 0.03f;
        table[2 * 3 + 2] = 0.02f;
        CharacterSpan[] spans = CtcDecoding.Align(table, 3, [1, 2, 1])!;
        Assert.Equal([new CharacterSpan(1, 1, 2, 2), new CharacterSpan(2, 5, 5, 5), new CharacterSpan(1, 7, 7, 7)], spans);
    }

    [Fact]
    public void DoubleLettersAlignToSeparateSpans()
    {
        float[] table = Peaked(3, 0.9, 1, 1, B, 1);
        CharacterSpan[] spans = CtcDecoding.Align(table, 3, [1, 1])!;
        Assert.Equal(2, spans.Length);
        Assert.True(spans[0].Last < spans[1].First);
    }

    [Fact]
    public void ALexiconChoosesTheMostProbableAllowedText()
    {
        var alphabet = new TextAlphabet("abo");
        // The network reads "ab" clearly but a little 'o' where the 'a' is: "ob" is allowed, "ab" is not.
        float[] table = Peaked(alphabet.ClassCount, 0.7, alphabet.ClassOf('a'), B, alphabet.ClassOf('b'), B);
        string free = alphabet.Decode(LineDecoder.Labels(table, alphabet, new ReadOptions()));
        string constrained = alphabet.Decode(LineDecoder.Labels(table, alphabet, new ReadOptions { Lexicon = ["ob", "oo", "xyz", "bob"] }));
        Assert.Equal("ab", free);
        Assert.Equal("ob", constrained);
    }

    /// <summary>NaN probabilities (a network whose weights overflowed) made Read throw NullReferenceException: Align found no path.</summary>
    [Fact]
    public void NaNProbabilitiesReadAsNothingRatherThanThrowingNullReference()
    {
        var alphabet = new TextAlphabet("ab");
        float[] table = Enumerable.Repeat(float.NaN, alphabet.ClassCount * 6).ToArray();
        var line = new NormalizedLine(new float[32 * 24], 24, 32, Hcr.MLNet.Imaging.InkBox.FromEdges(0, 0, 24, 32));
        Assert.Null(LineDecoder.Read(table, alphabet, line, new ReadOptions()));
        Assert.Null(LineDecoder.Read(table, alphabet, line, new ReadOptions { Decoding = TextDecoding.BeamSearch }));
        Assert.Null(LineDecoder.Read(table, alphabet, line, new ReadOptions { Lexicon = ["ab"] }));
    }

    /// <summary>Scoring refuses NaN probabilities (finite weights that overflow) with a typed error, before any decoder sees them.</summary>
    [Fact]
    public void NaNProbabilitiesFromTheNetworkAreATypedError()
    {
        var line = new NormalizedLine(new float[32 * 24], 24, 32, Hcr.MLNet.Imaging.InkBox.FromEdges(0, 0, 24, 32));
        var e = Assert.Throws<InvalidOperationException>(() => TextScoring.Probabilities(new NaNScorer(), [line]));
        Assert.Contains("NaN or infinite probabilities", e.Message, StringComparison.Ordinal);
    }

    private sealed class NaNScorer : ITextScorer
    {
        public TextSequenceModel SequenceModel => TextSequenceModel.Convolution;

        public float[] Score(float[] pixels, int count, int width) =>
            Enumerable.Repeat(float.NaN, count * (width / TextStrip.WidthStride) * 3).ToArray();

        public void Dispose()
        {
        }
    }

    [Fact]
    public void ALexiconWithNothingThatFitsFallsBackToTheFreeReading()
    {
        var alphabet = new TextAlphabet("ab");
        float[] table = Peaked(alphabet.ClassCount, 0.9, alphabet.ClassOf('a'), B);
        // "abab" needs four positions; "xy" has characters the alphabet lacks.
        Assert.Equal("a", alphabet.Decode(LineDecoder.Labels(table, alphabet, new ReadOptions { Lexicon = ["abab", "xy"] })));
    }

    [Fact]
    public void ALineReadingHasWordsCharacterConfidencesBoxesAndAlternatives()
    {
        var alphabet = new TextAlphabet("ab ");
        int a = alphabet.ClassOf('a'), b = alphabet.ClassOf('b'), space = alphabet.ClassOf(' ');
        float[] table = Peaked(alphabet.ClassCount, 0.8, a, B, b, space, B, b, B, B);
        // A strip of 8 positions (32 columns) showing source columns 100..132 at one source pixel per column.
        var line = new NormalizedLine(new float[32 * 32], 32, 32, Hcr.MLNet.Imaging.InkBox.FromEdges(100, 10, 132, 42));
        TextLineReading read = LineDecoder.Read(table, alphabet, line, new ReadOptions { Alternatives = 2 })!;

        Assert.Equal("ab b", read.Text);
        Assert.Equal(["ab", "b"], read.Words.Select(w => w.Text));
        TextCharacterReading first = read.Words[0].Characters[0];
        Assert.Equal('a', first.Character);
        Assert.Equal(0.8f, first.Confidence, 1e-6);
        Assert.Equal(new InkBox(100, 10, 4, 32), first.Box);
        Assert.Equal(2, first.Alternatives.Count);
        Assert.Equal('a', first.Alternatives[0].Character);
        // The recognizer's candidate type, printed as its Top is.
        Assert.Equal("a 80.0%", first.Alternatives[0].ToString());
        Assert.Equal(first.Alternatives[0], new CharacterCandidate('a', first.Confidence));
        Assert.Equal(0.8 * 0.8, read.Words[0].Confidence, 1e-6);
        Assert.Equal(new InkBox(120, 10, 4, 32), read.Words[1].Box);
        Assert.Equal(Math.Pow(0.8, 4), read.Confidence, 1e-6);
    }
}
