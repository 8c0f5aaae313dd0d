using System.Globalization;
using Hcr.MLNet.Scoring;

namespace Hcr.MLNet;

/// <summary>What the recognizer read in one image.</summary>
public sealed class CharacterPrediction
{
    private readonly char[] _classes;
    private readonly float[] _probabilities;
    private readonly byte[] _networkInput;

    // The classes RestrictedTo allowed (null: every class), so that Top lists no class it ruled out.
    private readonly bool[]? _allowed;

    internal CharacterPrediction(char[] classes, float[] probabilities, byte[] networkInput, int inkGroups = 1, bool[]? allowed = null)
    {
        _allowed = allowed;
        InkGroups = inkGroups;
        _classes = classes;
        _probabilities = probabilities;
        _networkInput = networkInput;
        int best = ClassScores.ArgMax(probabilities);
        Character = classes[best];
        Confidence = probabilities[best];
    }

    /// <summary>The most probable character.</summary>
    public char Character { get; }

    /// <summary>Its probability, 0 to 1.</summary>
    public float Confidence { get; }

    /// <summary>
    /// How many separated groups of ink the image held (see <see cref="Imaging.NormalizedCharacter.InkGroups"/>);
    /// 1 for a tile. More than one means several characters were squeezed into one tile and the answer
    /// is likely wrong: read such images with <see cref="HandwritingRecognizer.ReadCharacters(string)"/>.
    /// </summary>
    public int InkGroups { get; }

    /// <summary>Whether the image seemed to hold several characters side by side (<see cref="InkGroups"/> above 1).</summary>
    public bool SeveralInkGroups => InkGroups > 1;

    /// <summary>The probability of every class, by class index (see <see cref="HandwritingRecognizer.Classes"/>).</summary>
    public IReadOnlyList<float> Probabilities => _probabilities;

    /// <summary>
    /// The 28×28 image the network saw, row-major, 0 = background and 255 = ink, after preprocessing:
    /// look at it to understand a surprising answer (<see cref="SaveNetworkInputPng"/> writes it as a picture).
    /// </summary>
    public ReadOnlyMemory<byte> NetworkInput => _networkInput;

    /// <summary>Writes <see cref="NetworkInput"/> as a greyscale PNG, enlarged <paramref name="scale"/> times (atomically).</summary>
    public void SaveNetworkInputPng(string path, int scale = 8) => Imaging.TilePng.Save(_networkInput, path, scale);

    /// <summary>
    /// The <paramref name="count"/> most probable characters, most probable first (of a <see cref="RestrictedTo"/>
    /// prediction, only the characters it allows, so there may be fewer).
    /// </summary>
    public IReadOnlyList<CharacterCandidate> Top(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return Enumerable.Range(0, _probabilities.Length)
            .Where(i => _allowed is null || _allowed[i])
            .OrderByDescending(i => _probabilities[i])
            .Take(count)
            .Select(i => new CharacterCandidate(_classes[i], _probabilities[i]))
            .ToList();
    }

    /// <summary>
    /// The prediction among <paramref name="characters"/> alone: every other class's probability set to zero and the rest
    /// scaled to sum to 1, so that <see cref="Character"/>, <see cref="Confidence"/> and <see cref="Top"/> answer "which of
    /// these is it". For a field an application knows more about than the network does (a postcode's digits, a grid of
    /// capitals), where a shape that is both a letter and a digit (O and 0, I and 1, S and 5) can only be told apart by
    /// what the field may hold. Its <see cref="Confidence"/> says which of these the image most likely holds, not how likely
    /// it is to hold any of them: this prediction's own <see cref="Probabilities"/>, summed over them, say that.
    /// </summary>
    /// <param name="characters">
    /// The characters the image may hold. A character that is no class of the recognizer counts as the class it is merged
    /// into when one class holds both cases (EMNIST-47's <c>C</c> stands for <c>c</c> too).
    /// </param>
    /// <exception cref="ArgumentException">
    /// <paramref name="characters"/> is empty, holds a character the recognizer has no class for, or (restricting a
    /// restricted prediction, which keeps the characters both allow) none that the earlier restriction allowed.
    /// </exception>
    public CharacterPrediction RestrictedTo(string characters)
    {
        ArgumentException.ThrowIfNullOrEmpty(characters);
        var allowed = new bool[_classes.Length];
        foreach (char c in characters)
        {
            int index = ClassOf(c);
            if (index < 0)
            {
                throw new ArgumentException(
                    $"'{c}' is not one of the recognizer's {_classes.Length} classes ({new string(_classes)}), in either case.", nameof(characters));
            }
            allowed[index] = _allowed is null || _allowed[index]; // a restriction of a restriction keeps what both allow
        }
        if (!allowed.Contains(true))
            throw new ArgumentException($"None of \"{characters}\" is among the characters this prediction is already restricted to.", nameof(characters));
        double sum = 0;
        for (int i = 0; i < allowed.Length; i++)
            sum += allowed[i] ? _probabilities[i] : 0;
        // Every allowed class's probability underflowed to zero: the network prefers none of them.
        float even = 1f / allowed.Count(a => a);
        var restricted = new float[_probabilities.Length];
        for (int i = 0; i < restricted.Length; i++)
            restricted[i] = !allowed[i] ? 0 : sum > 0 ? (float)(_probabilities[i] / sum) : even;
        return new CharacterPrediction(_classes, restricted, _networkInput, InkGroups, allowed);
    }

    private int ClassOf(char c)
    {
        int index = Array.IndexOf(_classes, c);
        if (index < 0)
            index = Array.IndexOf(_classes, char.ToUpperInvariant(c));
        if (index < 0)
            index = Array.IndexOf(_classes, char.ToLowerInvariant(c));
        return index;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"'{Character}' ({Confidence * 100:0.0}%)");
}
