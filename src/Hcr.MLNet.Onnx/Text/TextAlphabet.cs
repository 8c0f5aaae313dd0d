using System.Globalization;

namespace Hcr.MLNet.Text;

/// <summary>
/// The characters a text reader writes, and their network classes: class 0 is the CTC blank (no
/// character at this position), class <c>i + 1</c> is <see cref="Characters"/>[i]. Immutable.
/// </summary>
public sealed class TextAlphabet
{
    /// <summary>The CTC blank's class index.</summary>
    public const int Blank = 0;

    /// <summary>
    /// Characters every alphabet built from data holds even when the data lacks them: the German letters and
    /// the punctuation of street and place names, so that a reader trained on a small set can still write them.
    /// </summary>
    public const string GermanNameCharacters = " ().-ÄÖÜäöüß";

    private readonly Dictionary<char, int> _classes;

    /// <summary>Creates an alphabet of <paramref name="characters"/> (in that order; each once).</summary>
    /// <exception cref="ArgumentException">Empty, a repeated character, or a control character.</exception>
    public TextAlphabet(string characters)
    {
        ArgumentException.ThrowIfNullOrEmpty(characters);
        _classes = new Dictionary<char, int>(characters.Length);
        for (int i = 0; i < characters.Length; i++)
        {
            char c = characters[i];
            if (char.IsControl(c) || char.IsSurrogate(c))
                throw new ArgumentException($"The alphabet cannot hold the control or surrogate character U+{(int)c:X4}.", nameof(characters));
            if (!_classes.TryAdd(c, i + 1))
                throw new ArgumentException($"The alphabet holds '{c}' twice.", nameof(characters));
        }
        Characters = characters;
    }

    /// <summary>The characters, in class order (class 1 first).</summary>
    public string Characters { get; }

    /// <summary>Network outputs: the characters and the blank.</summary>
    public int ClassCount => Characters.Length + 1;

    /// <summary>
    /// The alphabet of <paramref name="texts"/> and <see cref="GermanNameCharacters"/>, sorted by code point so that
    /// the same data always gives the same classes.
    /// </summary>
    public static TextAlphabet FromTexts(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var set = new SortedSet<char>(GermanNameCharacters);
        foreach (string text in texts)
            set.UnionWith(text);
        return new TextAlphabet(new string(set.ToArray()));
    }

    /// <summary>Whether <paramref name="c"/> is in the alphabet.</summary>
    public bool Contains(char c) => _classes.ContainsKey(c);

    /// <summary>The class of <paramref name="c"/>.</summary>
    /// <exception cref="ArgumentException">Not in the alphabet.</exception>
    public int ClassOf(char c) => _classes.TryGetValue(c, out int index)
        ? index
        : throw new ArgumentException($"'{c}' (U+{(int)c:X4}) is not in the alphabet.", nameof(c));

    /// <summary>The character of class <paramref name="index"/> (1 to <see cref="ClassCount"/> − 1; the blank has none).</summary>
    public char CharacterOf(int index)
    {
        if (index <= Blank || index >= ClassCount)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Character classes are 1 to {ClassCount - 1}; 0 is the blank.");
        return Characters[index - 1];
    }

    /// <summary>The classes of <paramref name="text"/>'s characters.</summary>
    /// <exception cref="ArgumentException">A character is not in the alphabet.</exception>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var classes = new int[text.Length];
        for (int i = 0; i < text.Length; i++)
            classes[i] = ClassOf(text[i]);
        return classes;
    }

    /// <summary>The text of character classes (no blanks).</summary>
    public string Decode(IEnumerable<int> classes) => new(classes.Select(CharacterOf).ToArray());

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Characters.Length} characters: {Characters}");
}
