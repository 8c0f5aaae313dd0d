namespace Hcr.MLNet.Text;

/// <summary>
/// What beam search adds to a prefix's log probability for a <see cref="CharacterLanguageModel"/> (shallow fusion):
/// <paramref name="Weight"/> times the model's log probability of each label after the text before it, plus
/// <paramref name="Bonus"/> per label (a language model makes every character cost something, which on its own favours
/// readings that leave characters out), and at the end the weighted log probability that the text ends there.
/// <paramref name="Alphabet"/> turns labels into characters.
/// </summary>
internal sealed record LanguageScoring(CharacterLanguageModel Model, TextAlphabet Alphabet, double Weight, double Bonus)
{
    /// <summary>The score of <paramref name="label"/> after <paramref name="history"/> (the text before it, its last characters at least).</summary>
    public double Extend(ReadOnlySpan<char> history, int label) => Weight * Model.LogProbability(history, Alphabet.CharacterOf(label)) + Bonus;

    /// <summary>The most <see cref="Extend"/> can give: the bonus (a log probability is never above 0, the weight never below).</summary>
    public double MaxExtension => Bonus;

    /// <summary>The score of the text ending after <paramref name="history"/>.</summary>
    public double Finish(ReadOnlySpan<char> history) => Weight * Model.EndLogProbability(history);
}
