using System.Globalization;
using Hcr.MLNet.Scoring;

namespace Hcr.MLNet;

/// <summary>What the recognizer read in one image.</summary>
public sealed class CharacterPrediction
{
    private readonly char[] _classes;
    private readonly float[] _probabilities;
    private readonly byte[] _networkInput;

    internal CharacterPrediction(char[] classes, float[] probabilities, byte[] networkInput, int inkGroups = 1)
    {
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

    /// <summary>The <paramref name="count"/> most probable characters, most probable first.</summary>
    public IReadOnlyList<CharacterCandidate> Top(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return Enumerable.Range(0, _probabilities.Length)
            .OrderByDescending(i => _probabilities[i])
            .Take(count)
            .Select(i => new CharacterCandidate(_classes[i], _probabilities[i]))
            .ToList();
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"'{Character}' ({Confidence * 100:0.0}%)");
}
