using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.DataViews;

/// <summary>
/// The 28×28 grey tile that every part of the library passes around (an EMNIST image, the ink
/// normaliser's output, the network's input), and its ML.NET column: a vector of 784 Single values,
/// row-major. Its geometry and checks live here once; the public constants that repeat it for users
/// (<c>EmnistDataset.ImageSize</c>, <c>NormalizedCharacter.Size</c>) are defined from it.
/// </summary>
internal static class CharacterTile
{
    /// <summary>The tile's side in pixels.</summary>
    public const int Side = 28;

    /// <summary>Pixels per tile.</summary>
    public const int PixelCount = Side * Side;

    /// <summary>
    /// Bytes 0..255 (tiles laid end to end) to the floats 0..1 the network reads, each byte divided by
    /// 255 in single precision, exactly as the recognizer's ML.NET step <c>x => x / 255</c> computes it,
    /// so that both routes give the network the same bits.
    /// </summary>
    public static void ToFloats(ReadOnlySpan<byte> tiles, Span<float> pixels)
    {
        if (pixels.Length < tiles.Length)
            throw new ArgumentException($"{tiles.Length} bytes need as many floats; the buffer has {pixels.Length}.", nameof(pixels));
        for (int i = 0; i < tiles.Length; i++)
            pixels[i] = tiles[i] / 255f;
    }

    /// <summary>The column <paramref name="name"/> of <paramref name="schema"/>, which must hold one tile per row; errors name the <paramref name="role"/> of the data.</summary>
    public static DataViewSchema.Column RequirePixels(DataViewSchema schema, string name, string role)
    {
        DataViewSchema.Column column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"The {role} data has no pixels column '{name}' (columns: {string.Join(", ", schema.Select(c => c.Name))}).");
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType n, Size: PixelCount } || n != NumberDataViewType.Single)
        {
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Pixels column '{name}' must be a vector of {PixelCount} Single values (one 28x28 grey image), but it is {column.Type}.");
        }
        return column;
    }

    /// <summary>Throws when a pixel is not a number in 0..1 (the usual mistake: pixels left at 0..255), naming the column, row and pixel.</summary>
    public static void CheckPixels(ReadOnlySpan<float> pixels, string column, string role, long row)
    {
        for (int i = 0; i < pixels.Length; i++)
        {
            float v = pixels[i];
            if (float.IsNaN(v) || float.IsInfinity(v))
                throw new InvalidDataException($"{role} data: pixels column '{column}' holds {v} at row {row}, pixel {i}.");
            if (v < -0.001f || v > 1.001f)
            {
                throw new InvalidDataException(
                    $"{role} data: pixels column '{column}' holds {v} at row {row}, pixel {i}; pixels must be scaled to 0..1 " +
                    $"(for example with mlContext.Transforms.Expression(\"{column}\", \"x => x / 255\", \"{column}\")).");
            }
        }
    }
}
