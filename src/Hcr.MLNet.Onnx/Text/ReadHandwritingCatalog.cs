using Hcr.MLNet;
using Hcr.MLNet.Text;

// In ML.NET's namespace, as ML.NET's own catalog extensions are, so that `using Microsoft.ML;` alone shows them.
namespace Microsoft.ML;

/// <summary>Adds <see cref="ReadHandwriting"/> to <c>mlContext.Transforms</c>.</summary>
public static class ReadHandwritingCatalog
{
    /// <summary>
    /// Reads the handwritten word or line in each image of <paramref name="inputColumnName"/> (an image column, from
    /// <c>LoadImages</c> or <see cref="Data.MLImage"/> values) with <paramref name="reader"/> into a text column
    /// <paramref name="outputColumnName"/>, and optionally its confidence (a float 0..1) into
    /// <paramref name="confidenceColumnName"/>: what <see cref="HandwritingTextReader.Read(Data.MLImage, ReadOptions?)"/>
    /// gives. The reader may score through TorchSharp or ONNX Runtime (<see cref="HandwritingTextReader.LoadOnnx"/>); the
    /// transform does not own it: dispose it after the last use of the pipeline.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="reader">The text reader.</param>
    /// <param name="outputColumnName">The text column to add.</param>
    /// <param name="inputColumnName">The image column to read; null for <c>Image</c>.</param>
    /// <param name="confidenceColumnName">A float column to add with each reading's confidence; null for none.</param>
    /// <param name="options">Decoding options (greedy, beam search, a lexicon); null for greedy decoding.</param>
    public static TextReadingEstimator ReadHandwriting(this TransformsCatalog catalog, HandwritingTextReader reader, string outputColumnName = "Text",
        string? inputColumnName = null, string? confidenceColumnName = null, ReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TextReadingEstimator(reader, outputColumnName, inputColumnName ?? DefaultImageColumn, confidenceColumnName, options);
    }

    /// <summary>The image column read when none is named: the name ML.NET's image samples use.</summary>
    public const string DefaultImageColumn = "Image";
}
