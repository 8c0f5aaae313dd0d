using Hcr.MLNet.Imaging;

// In ML.NET's namespace, as ML.NET's own catalog extensions are, so that `using Microsoft.ML;` alone shows them.
namespace Microsoft.ML;

/// <summary>Adds <see cref="NormalizeInk"/> to <c>mlContext.Transforms</c>.</summary>
public static class InkNormalizationCatalog
{
    /// <summary>
    /// Normalises each image of <paramref name="inputColumnName"/> as EMNIST's tiles are made
    /// (<see cref="InkNormalizer"/>) into a 28×28 grey image column <paramref name="outputColumnName"/>.
    /// Follow it with <c>ExtractPixels(..., colorsToExtract: ColorBits.Red, scaleImage: 1f / 255)</c> for
    /// the 784 floats in 0..1 that the handwriting trainer reads.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The image column to add.</param>
    /// <param name="inputColumnName">The image column to read; null for <paramref name="outputColumnName"/>.</param>
    /// <param name="options">Normalisation options; null for the defaults.</param>
    public static InkNormalizingEstimator NormalizeInk(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null,
        InkNormalizationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new InkNormalizingEstimator(outputColumnName, inputColumnName ?? outputColumnName, options);
    }
}
