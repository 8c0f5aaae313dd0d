namespace Hcr.MLNet.Text;

/// <summary>
/// What beam search adds to a prefix's log probability for a <see cref="CharacterLanguageModel"/> (shallow fusion):
/// <paramref name="Weight"/> times the model's log probability of each label after the text before it, plus
/// <paramref name="Bonus"/> per label (a language model makes every character cost something, which on its own favours
/// readings that leave characters out), and at the end the weighted log probability that the text ends there. Prefixes
/// are strings of class indices, as beam search keeps them; <paramref name="Alphabet"/> turns them into text.
/// </summary>
internal sealed record LanguageScoring(CharacterLanguageModel Model, TextAlphabet Alphabet, double Weight, double Bonus)
{
    public double Extend(string prefix, int label) => Weight * Model.LogProbability(History(prefix), Alphabet.CharacterOf(label)) + Bonus;

    public double Finish(string prefix) => Weight * Model.EndLogProbability(History(prefix));

    /// <summary>The characters of the prefix's last labels, as many as the model looks at.</summary>
    private ReadOnlySpan<char> History(string prefix)
    {
        int length = Math.Min(prefix.Length, Model.Order - 1);
        var text = new char[length];
        for (int i = 0; i < length; i++)
            text[i] = Alphabet.CharacterOf(prefix[prefix.Length - length + i]);
        return text;
    }
}
