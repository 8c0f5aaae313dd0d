using Hcr.MLNet.Text;

namespace Hcr.MLNet;

/// <summary>How <see cref="HandwritingTextReader"/> decodes what it reads. The defaults suit free text.</summary>
public sealed record ReadOptions
{
    /// <summary>Default number of prefixes kept by <see cref="TextDecoding.BeamSearch"/>: beyond about ten, CTC beams rarely change the answer.</summary>
    public const int DefaultBeamWidth = 10;

    /// <summary>
    /// The widest beam <see cref="BeamWidth"/> may ask for. Beam search's work grows with the width (a million took over
    /// two minutes for one word, <see cref="int.MaxValue"/> ran out of memory), so that a service passing its clients'
    /// options through cannot be tied up; ten times the default already changes nothing measurable.
    /// </summary>
    public const int MaxBeamWidth = 100;

    /// <summary>The most alternatives <see cref="Alternatives"/> may ask for per character (no alphabet the library trains has more classes).</summary>
    public const int MaxAlternatives = 100;

    /// <summary>
    /// The most entries a <see cref="Lexicon"/> may hold: every entry is scored against every line (CTC's forward
    /// algorithm, about a second a line at this size), so the bound keeps one read from running for minutes.
    /// </summary>
    public const int MaxLexiconEntries = 100_000;

    /// <summary>
    /// The weight of <see cref="LanguageModel"/> unless told otherwise, chosen for models of the
    /// <see cref="CharacterLanguageModel.DefaultOrder"/> on the validation writers of the text reader's protocol
    /// (docs/text-reader-protocol.md, L1 and L2).
    /// </summary>
    public const double DefaultLanguageModelWeight = 0.45;

    /// <summary>The <see cref="CharacterBonus"/> unless told otherwise, chosen with <see cref="DefaultLanguageModelWeight"/>.</summary>
    public const double DefaultCharacterBonus = 2;

    /// <summary>The largest <see cref="LanguageModelWeight"/> and the largest <see cref="CharacterBonus"/> either way: beyond them the model drowns the image.</summary>
    public const double MaxLanguageModelWeight = 10;

    /// <summary>Greedy (default) or beam search; ignored when a <see cref="Lexicon"/> is given, and beam search whenever a <see cref="LanguageModel"/> is.</summary>
    public TextDecoding Decoding { get; init; } = TextDecoding.Greedy;

    /// <summary>
    /// When given, beam search also weighs how probable each reading is as text of the kind the model learned
    /// (<see cref="CharacterLanguageModel.Train"/>: street names, a language's prose): where the network hesitates between
    /// characters, the reading that looks more like those texts wins. Anything can still be read (unlike a
    /// <see cref="Lexicon"/>, which takes precedence).
    /// </summary>
    public CharacterLanguageModel? LanguageModel { get; init; }

    /// <summary>How much <see cref="LanguageModel"/> counts against the image: 0 to <see cref="MaxLanguageModelWeight"/>.</summary>
    public double LanguageModelWeight { get; init; } = DefaultLanguageModelWeight;

    /// <summary>
    /// Added per character read with a <see cref="LanguageModel"/>, in natural-log units (−10 to 10): the model makes every
    /// character cost something, which alone would favour readings that leave characters out.
    /// </summary>
    public double CharacterBonus { get; init; } = DefaultCharacterBonus;

    /// <summary>Prefixes kept by beam search: 1 to <see cref="MaxBeamWidth"/>.</summary>
    public int BeamWidth { get; init; } = DefaultBeamWidth;

    /// <summary>
    /// When given, the reading is the entry of this list (whole texts: a form field's allowed values, street names)
    /// that the network finds most probable over all alignments; entries with characters the reader does not know
    /// are never chosen. When no entry fits the image, the unconstrained greedy reading is returned. At most
    /// <see cref="MaxLexiconEntries"/> entries.
    /// </summary>
    public IReadOnlyCollection<string>? Lexicon { get; init; }

    /// <summary>
    /// <see cref="TextLayout.Auto"/> (default): the lines in the image are found and read one by one;
    /// <see cref="TextLayout.SingleLine"/>: the image is read as one word or line.
    /// </summary>
    public TextLayout Layout { get; init; } = TextLayout.Auto;

    /// <summary>Alternatives listed per character: 0 to <see cref="MaxAlternatives"/> (fewer when the alphabet has fewer characters).</summary>
    public int Alternatives { get; init; } = 3;

    internal void Validate()
    {
        if (BeamWidth is < 1 or > MaxBeamWidth)
            throw new ArgumentOutOfRangeException(nameof(BeamWidth), BeamWidth, $"The beam width must be 1 to {MaxBeamWidth} (ReadOptions.MaxBeamWidth).");
        if (Alternatives is < 0 or > MaxAlternatives)
            throw new ArgumentOutOfRangeException(nameof(Alternatives), Alternatives, $"The number of alternatives must be 0 to {MaxAlternatives} (ReadOptions.MaxAlternatives).");
        if (Lexicon is { Count: > MaxLexiconEntries })
            throw new ArgumentOutOfRangeException(nameof(Lexicon), Lexicon.Count, $"A lexicon may hold at most {MaxLexiconEntries:N0} entries (ReadOptions.MaxLexiconEntries).");
        if (!(LanguageModelWeight >= 0 && LanguageModelWeight <= MaxLanguageModelWeight))
            throw new ArgumentOutOfRangeException(nameof(LanguageModelWeight), LanguageModelWeight, $"The language model's weight must be 0 to {MaxLanguageModelWeight}.");
        if (!(Math.Abs(CharacterBonus) <= MaxLanguageModelWeight))
            throw new ArgumentOutOfRangeException(nameof(CharacterBonus), CharacterBonus, $"The character bonus must be -{MaxLanguageModelWeight} to {MaxLanguageModelWeight}.");
        if (!Enum.IsDefined(Decoding))
            throw new ArgumentOutOfRangeException(nameof(Decoding), Decoding, "Unknown decoding.");
        if (!Enum.IsDefined(Layout))
            throw new ArgumentOutOfRangeException(nameof(Layout), Layout, "Unknown layout.");
    }
}
