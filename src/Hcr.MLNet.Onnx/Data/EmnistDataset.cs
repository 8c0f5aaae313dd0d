using Hcr.MLNet.DataViews;
using Microsoft.ML;

namespace Hcr.MLNet.Data;

/// <summary>
/// Labelled 28×28 grey images of handwritten characters, held in memory: EMNIST loaded from the
/// official files, its CSV export, or images an application supplies. Images are upright, one byte
/// per pixel, 0 = background and 255 = ink (white ink on black, as in EMNIST). Labels are class
/// indices 0..<see cref="ClassCount"/>-1, and <see cref="Classes"/> gives each class's character.
/// </summary>
public sealed partial class EmnistDataset
{
    /// <summary>Images are <c>ImageSize</c>×<c>ImageSize</c> pixels.</summary>
    public const int ImageSize = CharacterTile.Side;

    /// <summary>Bytes (pixels) per image: 784.</summary>
    public const int PixelsPerImage = ImageSize * ImageSize;

    private readonly byte[] _pixels;
    private readonly int[] _labels;
    private readonly char[] _classes;

    private EmnistDataset(byte[] pixels, int[] labels, char[] classes, string source)
    {
        _pixels = pixels;
        _labels = labels;
        _classes = classes;
        Source = source;
    }

    /// <summary>
    /// The selection this dataset was loaded for, and whether it is that selection's evaluation side: how a recognizer
    /// trained on it learns what it was trained on. Null for data made, subset or split otherwise.
    /// </summary>
    internal (EmnistSelection Selection, bool IsTest)? Origin { get; private set; }

    /// <summary>Marks a freshly loaded dataset as <paramref name="selection"/>'s; returns it.</summary>
    internal EmnistDataset From(EmnistSelection selection, bool isTest)
    {
        Origin = (selection, isTest);
        return this;
    }

    /// <summary>Number of images.</summary>
    public int Count => _labels.Length;

    /// <summary>Number of classes (47 for Balanced and ByMerge, 62 for ByClass, 26 for Letters, 10 for digits).</summary>
    public int ClassCount => _classes.Length;

    /// <summary>The character of each class index. For Letters, the capital stands for both cases.</summary>
    public IReadOnlyList<char> Classes => _classes;

    /// <summary>Where the data came from (file names), for messages.</summary>
    public string Source { get; }

    /// <summary>All images, <see cref="PixelsPerImage"/> bytes each, row-major and upright.</summary>
    public ReadOnlyMemory<byte> Pixels => _pixels;

    /// <summary>The class index of every image.</summary>
    public ReadOnlyMemory<int> Labels => _labels;

    /// <summary>The 784 pixels of image <paramref name="index"/>, row-major and upright.</summary>
    public ReadOnlySpan<byte> GetImage(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _pixels.AsSpan(index * PixelsPerImage, PixelsPerImage);
    }

    /// <summary>The class index of image <paramref name="index"/>.</summary>
    public int GetLabel(int index) => _labels[index];

    /// <summary>The character of image <paramref name="index"/>.</summary>
    public char GetCharacter(int index) => _classes[_labels[index]];

    /// <summary>How many images each class has, by class index.</summary>
    public int[] CountPerClass()
    {
        var counts = new int[ClassCount];
        foreach (int label in _labels)
            counts[label]++;
        return counts;
    }

    /// <summary>
    /// Makes a dataset from images the caller supplies (for example characters cut from scans).
    /// </summary>
    /// <param name="pixels">Upright 28×28 images, <see cref="PixelsPerImage"/> bytes each, ink bright on a dark background.</param>
    /// <param name="labels">Class index of each image.</param>
    /// <param name="classes">The character of each class index.</param>
    /// <param name="source">A name for messages.</param>
    public static EmnistDataset Create(byte[] pixels, int[] labels, IReadOnlyList<char> classes, string source = "in-memory dataset")
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classes);
        if (classes.Count == 0)
            throw new ArgumentException("At least one class is needed.", nameof(classes));
        if (classes.Distinct().Count() != classes.Count)
            throw new ArgumentException("Class characters must be distinct.", nameof(classes));
        if (pixels.Length != (long)labels.Length * PixelsPerImage)
        {
            throw new ArgumentException(
                $"{labels.Length} labels need {(long)labels.Length * PixelsPerImage} pixel bytes ({PixelsPerImage} per image), but {pixels.Length} were given.",
                nameof(pixels));
        }
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes.Count)
                throw new ArgumentException($"Label {labels[i]} of image {i} is outside 0..{classes.Count - 1}.", nameof(labels));
        }
        return new EmnistDataset(pixels, labels, classes.ToArray(), source);
    }

    /// <summary>The images at <paramref name="indices"/>, in that order, as a new dataset.</summary>
    public EmnistDataset Subset(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var pixels = new byte[(long)indices.Count * PixelsPerImage];
        var labels = new int[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            GetImage(indices[i]).CopyTo(pixels.AsSpan(i * PixelsPerImage, PixelsPerImage));
            labels[i] = _labels[indices[i]];
        }
        return new EmnistDataset(pixels, labels, _classes, Source);
    }

    /// <summary>These images followed by <paramref name="other"/>'s, as a new dataset; both must have the same classes in the same order.</summary>
    /// <exception cref="ArgumentException">The classes differ; the message names both sources.</exception>
    public EmnistDataset Concat(EmnistDataset other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!_classes.AsSpan().SequenceEqual(other._classes))
        {
            throw new ArgumentException(
                $"{other.Source} has the classes \"{new string(other._classes)}\", {Source} has \"{new string(_classes)}\"; only datasets of the same classes in the same order join.",
                nameof(other));
        }
        return new EmnistDataset([.. _pixels, .. other._pixels], [.. _labels, .. other._labels], _classes, $"{Source} and {other.Source}");
    }

    /// <summary>
    /// Splits the images in two, stratified by class: from each class, a random <paramref name="fraction"/>
    /// goes to <c>Train</c> and the rest to <c>Test</c>; both keep the original order. The same seed
    /// gives the same split. Every class with at least two images appears on both sides.
    /// </summary>
    public (EmnistDataset Train, EmnistDataset Test) Split(double fraction, int seed)
    {
        if (!(fraction > 0 && fraction < 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The fraction must be between 0 and 1 (exclusive).");

        var byClass = new List<int>[ClassCount];
        for (int c = 0; c < ClassCount; c++)
            byClass[c] = [];
        for (int i = 0; i < Count; i++)
            byClass[_labels[i]].Add(i);

        var random = new Random(seed);
        var first = new List<int>();
        var second = new List<int>();
        foreach (List<int> members in byClass)
        {
            int[] shuffled = members.ToArray();
            random.Shuffle(shuffled);
            int take = (int)Math.Round(shuffled.Length * fraction, MidpointRounding.AwayFromZero);
            if (shuffled.Length >= 2)
                take = Math.Clamp(take, 1, shuffled.Length - 1);
            first.AddRange(shuffled.Take(take));
            second.AddRange(shuffled.Skip(take));
        }
        first.Sort();
        second.Sort();
        return (Subset(first), Subset(second));
    }

    /// <summary>
    /// The images as an ML.NET <see cref="IDataView"/> with a text <c>Label</c> column (the class
    /// character, ready for <c>MapValueToKey</c>) and a <c>Pixels</c> column of 784 floats 0–255
    /// shaped 1×28×28, as ImageAnalytics' <c>ExtractPixels</c> gives for one grey plane.
    /// </summary>
    public IDataView ToDataView(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new EmnistDataView(this);
    }
}
