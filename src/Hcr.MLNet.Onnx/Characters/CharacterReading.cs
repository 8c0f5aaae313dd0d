using System.Globalization;
using Hcr.MLNet.Imaging;

namespace Hcr.MLNet;

/// <summary>One character found and read by <see cref="HandwritingRecognizer.ReadCharacters(string)"/>.</summary>
public sealed class CharacterReading
{
    internal CharacterReading(CharacterPrediction prediction, int row, InkBox box)
    {
        Prediction = prediction;
        Row = row;
        Box = box;
    }

    /// <summary>The character's ink box in the image's pixels (the file's own size for paths, streams and bytes).</summary>
    public InkBox Box { get; }

    /// <summary>The row it stands in, 0 for the top one; characters come row by row, each row from left to right.</summary>
    public int Row { get; }

    /// <summary>What the recognizer read in it: probabilities, top alternatives, the tile the network saw.</summary>
    public CharacterPrediction Prediction { get; }

    /// <summary>The most probable character.</summary>
    public char Character => Prediction.Character;

    /// <summary>Its probability, 0 to 1.</summary>
    public float Confidence => Prediction.Confidence;

    /// <summary>The <paramref name="count"/> most probable characters, most probable first.</summary>
    public IReadOnlyList<CharacterCandidate> Top(int count) => Prediction.Top(count);

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"'{Character}' ({Confidence * 100:0.0}%) at {Box}, row {Row}");
}
