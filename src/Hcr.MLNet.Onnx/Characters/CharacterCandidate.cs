using System.Globalization;

namespace Hcr.MLNet;

/// <summary>
/// A character the network considered, with its probability: a recognizer's candidates for one image
/// (<see cref="CharacterPrediction.Top"/>) and a text reader's alternatives at one character's position
/// (<see cref="TextCharacterReading.Alternatives"/>).
/// </summary>
/// <param name="Character">The character.</param>
/// <param name="Probability">The network's probability for it, 0 to 1.</param>
public readonly record struct CharacterCandidate(char Character, float Probability)
{
    /// <summary>The character and its probability, e.g. <c>A 93.2%</c>, so that <c>string.Join(", ", p.Top(5))</c> reads well.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Character} {Probability * 100:0.0}%");
}
