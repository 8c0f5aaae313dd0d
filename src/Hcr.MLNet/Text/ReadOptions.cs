namespace Hcr.MLNet;

/// <summary>How <see cref="HandwritingTextReader"/> decodes what it reads. The defaults suit free text.</summary>
public sealed record ReadOptions
{
    /// <summary>Default number of prefixes kept by <see cref="TextDecoding.BeamSearch"/>: beyond about ten, CTC beams rarely change the answer.</summary>
    public const int DefaultBeamWidth = 10;

    /// <summary>Greedy (default) or beam search; ignored when a <see cref="Lexicon"/> is given.</summary>
    public TextDecoding Decoding { get; init; } = TextDecoding.Greedy;

    /// <summary>Prefixes kept by beam search.</summary>
    public int BeamWidth { get; init; } = DefaultBeamWidth;

    /// <summary>
    /// When given, the reading is the entry of this list (whole texts: a form field's allowed values, street names)
    /// that the network finds most probable over all alignments; entries with characters the reader does not know
    /// are never chosen. When no entry fits the image, the unconstrained greedy reading is returned.
    /// </summary>
    public IReadOnlyCollection<string>? Lexicon { get; init; }

    /// <summary>
    /// <see cref="TextLayout.Auto"/> (default): the lines in the image are found and read one by one;
    /// <see cref="TextLayout.SingleLine"/>: the image is read as one word or line.
    /// </summary>
    public TextLayout Layout { get; init; } = TextLayout.Auto;

    /// <summary>Alternatives listed per character.</summary>
    public int Alternatives { get; init; } = 3;

    internal void Validate()
    {
        if (BeamWidth <= 0)
            throw new ArgumentOutOfRangeException(nameof(BeamWidth), BeamWidth, "The beam width must be positive.");
        if (Alternatives < 0)
            throw new ArgumentOutOfRangeException(nameof(Alternatives), Alternatives, "The number of alternatives cannot be negative.");
        if (!Enum.IsDefined(Decoding))
            throw new ArgumentOutOfRangeException(nameof(Decoding), Decoding, "Unknown decoding.");
        if (!Enum.IsDefined(Layout))
            throw new ArgumentOutOfRangeException(nameof(Layout), Layout, "Unknown layout.");
    }
}
