using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Hcr.MLNet.Imaging;

/// <summary>
/// Estimator of <see cref="InkNormalizingTransformer"/>: from an image column (LoadImages, ConvertToGrayscale,
/// or MLImage values) to a 28×28 grey image column as EMNIST has them. Make it with
/// <c>mlContext.Transforms.NormalizeInk(...)</c>.
/// </summary>
public sealed class InkNormalizingEstimator : IEstimator<InkNormalizingTransformer>
{
    private readonly InkNormalizingTransformer _transformer;

    internal InkNormalizingEstimator(string outputColumnName, string inputColumnName, InkNormalizationOptions? options)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        _transformer = new InkNormalizingTransformer(outputColumnName, inputColumnName, new InkNormalizer(options));
    }

    /// <summary>Checks that the input has the image column and returns the (stateless) transformer.</summary>
    public InkNormalizingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        InkNormalizingColumns.RequireImage(input.Schema, _transformer.InputColumnName);
        return _transformer;
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        string input = _transformer.InputColumnName;
        // The last column of a name is the visible one; earlier ones are hidden.
        SchemaShape.Column column = inputSchema.LastOrDefault(c => c.Name == input);
        if (column.Name != input)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The input has no image column '{input}'.");
        if (column.ItemType is not ImageDataViewType || column.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Column '{input}' must hold images, but it is {column.ItemType} ({column.Kind}).");
        // SchemaShape columns have no public constructor. ResizeImages declares exactly the column this
        // transform adds, an image of known size, so its estimator computes the shape.
        return new MLContext().Transforms.ResizeImages(_transformer.OutputColumnName, NormalizedCharacter.Size, NormalizedCharacter.Size, input)
            .GetOutputSchema(inputSchema);
    }
}
