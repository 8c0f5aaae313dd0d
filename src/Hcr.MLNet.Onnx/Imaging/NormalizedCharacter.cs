using Hcr.MLNet.DataViews;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Imaging;

/// <summary>
/// A character as the network sees it: a 28×28 tile, upright, ink bright (up to 255) on black (0),
/// like an EMNIST image; plus what the normaliser found on the way, for inspection.
/// </summary>
public sealed class NormalizedCharacter
{
    /// <summary>The tile's side, 28 pixels.</summary>
    public const int Size = CharacterTile.Side;

    private readonly byte[] _pixels;

    internal NormalizedCharacter(byte[] pixels, bool darkInk, InkBox inkBounds, double strokeWidth, int strokeAdjustment, int inkGroups = 1)
    {
        InkGroups = inkGroups;
        _pixels = pixels;
        DarkInkOnLight = darkInk;
        InkBounds = inkBounds;
        StrokeWidth = strokeWidth;
        StrokeAdjustment = strokeAdjustment;
    }

    /// <summary>The 784 pixels, row-major, 0 = background, 255 = ink: what EMNIST's files hold.</summary>
    public ReadOnlySpan<byte> Pixels => _pixels;

    /// <summary>Whether the input had dark ink on light paper (and was inverted).</summary>
    public bool DarkInkOnLight { get; }

    /// <summary>The ink's bounding box in the input image, specks ignored, in input pixels.</summary>
    public InkBox InkBounds { get; }

    /// <summary>The stroke width found, as a fraction of the ink box's long side (EMNIST's typical range is about 0.11..0.16).</summary>
    public double StrokeWidth { get; }

    /// <summary>
    /// The disc radius by which strokes were thickened (positive) or thinned (negative) to bring them
    /// into EMNIST's range, in pixels of the normaliser's working frame (four per tile pixel); 0 when left alone.
    /// </summary>
    public int StrokeAdjustment { get; }

    /// <summary>
    /// How many separated groups of ink, each with a character's share of it, the image holds: 1 for one
    /// character (the dot of an i and a broken stroke count with theirs); more when it shows several
    /// characters side by side (an "A7"), which the tile squeezes into one. Read those with
    /// <see cref="HandwritingRecognizer.ReadCharacters(string)"/>.
    /// </summary>
    public int InkGroups { get; }

    /// <summary>The 784 pixels as floats times <paramref name="scale"/>: 1 for 0..255 (EMNIST's <c>Pixels</c> column), 1/255 for what the trainer reads.</summary>
    public float[] ToFloats(float scale = 1f)
    {
        var result = new float[_pixels.Length];
        for (int i = 0; i < result.Length; i++)
            result[i] = _pixels[i] * scale;
        return result;
    }

    /// <summary>The tile as an opaque grey <see cref="MLPixelFormat.Bgra32"/> image (B = G = R), as ImageAnalytics' transforms take it.</summary>
    public MLImage ToMLImage()
    {
        var bgra = new byte[Size * Size * 4];
        for (int i = 0; i < _pixels.Length; i++)
        {
            bgra[i * 4] = bgra[i * 4 + 1] = bgra[i * 4 + 2] = _pixels[i];
            bgra[i * 4 + 3] = 255;
        }
        return MLImage.CreateFromPixels(Size, Size, MLPixelFormat.Bgra32, bgra);
    }

    /// <summary>
    /// Writes the tile as a greyscale PNG (atomically), enlarged <paramref name="scale"/> times with
    /// square pixels so that it is easy to look at.
    /// </summary>
    public void SavePng(string path, int scale = 1) => TilePng.Save(_pixels, path, scale);
}
