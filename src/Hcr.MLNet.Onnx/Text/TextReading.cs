using Hcr.MLNet.Imaging;

namespace Hcr.MLNet;

/// <summary>One character read: where it is, how sure the network is, and what else it might be.</summary>
/// <param name="Character">The character.</param>
/// <param name="Confidence">The network's probability for it where it peaks (0..1).</param>
/// <param name="Box">Its columns of the line (the line's full height).</param>
/// <param name="Alternatives">The most probable characters at that position, most probable first (it among them unless a lexicon chose it).</param>
public sealed record TextCharacterReading(char Character, float Confidence, InkBox Box, IReadOnlyList<CharacterCandidate> Alternatives);

/// <summary>One word read: its text, box, and confidence (the product of its characters' confidences).</summary>
public sealed record WordReading(string Text, InkBox Box, double Confidence, IReadOnlyList<TextCharacterReading> Characters);

/// <summary>One line read: its text (words joined by single spaces), box, confidence (the product of all its characters' confidences, spaces included) and words.</summary>
public sealed record TextLineReading(string Text, InkBox Box, double Confidence, IReadOnlyList<WordReading> Words);

/// <summary>
/// What <see cref="HandwritingTextReader.Read(string, ReadOptions?)"/> read in an image: the text (lines joined by
/// line breaks) and its lines, each with its words and their characters. No lines when the network read nothing.
/// </summary>
public sealed record TextReading(string Text, IReadOnlyList<TextLineReading> Lines)
{
    /// <summary>The lowest line confidence; 0 when nothing was read.</summary>
    public double Confidence => Lines.Count == 0 ? 0 : Lines.Min(l => l.Confidence);
}
