using Hcr.MLNet.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Hcr.MLNet.Imaging;

/// <summary>
/// Estimator of <see cref="InkNormalizingTransformer"/>: from an image column (LoadImages, or MLImage
/// values) to a 28×28 grey image column as EMNIST has them. Make it with
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
        InkNormalizingMapper.RequireImage(input.Schema, _transformer.InputColumnName);
        return _transformer;
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        string input = _transformer.InputColumnName;
        InkNormalizingMapper.RequireImage(inputSchema, input);
        // SchemaShape columns have no public constructor. ResizeImages declares exactly the column this
        // transform adds, an image of known size, so its estimator computes the shape.
        return new MLContext().Transforms.ResizeImages(_transformer.OutputColumnName, CharacterTile.Side, CharacterTile.Side, input)
            .GetOutputSchema(inputSchema);
    }
}

/// <summary>
/// Normalises an image column (<see cref="InkNormalizer"/>) into a new 28×28 grey image column, ready
/// for ImageAnalytics' <c>ExtractPixels</c>. It has nothing to learn: <see cref="InkNormalizingEstimator.Fit"/>
/// only checks the schema. Rows are normalised lazily, as they are read; an image without ink raises
/// <see cref="UnusableImageException"/> when its row is read.
/// </summary>
public sealed class InkNormalizingTransformer : ColumnAppendingTransformer
{
    internal InkNormalizingTransformer(string outputColumnName, string inputColumnName, InkNormalizer normalizer)
    {
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        Normalizer = normalizer;
    }

    /// <summary>The column added: a 28×28 image.</summary>
    public string OutputColumnName { get; }

    /// <summary>The image column read.</summary>
    public string InputColumnName { get; }

    /// <summary>The normaliser applied to each image.</summary>
    public InkNormalizer Normalizer { get; }

    private protected override AppendingMapper CreateMapper(DataViewSchema inputSchema) =>
        new InkNormalizingMapper(inputSchema, OutputColumnName, InkNormalizingMapper.RequireImage(inputSchema, InputColumnName), Normalizer);

    private protected override string WhyNotSavable =>
        "InkNormalizingTransformer cannot be saved with mlContext.Model.Save: ML.NET only loads its own transformer types from " +
        "its model zip. It has nothing learned to save; rebuild it with mlContext.Transforms.NormalizeInk(...) and the same " +
        "InkNormalizationOptions when loading, and save only the trained parts of the pipeline.";
}

/// <summary>
/// Appends the normalised image, a 28×28 image column (ImageAnalytics' <see cref="ImageDataViewType"/>,
/// so that <c>ExtractPixels</c> can follow). Following ML.NET's image transforms, each read makes a new
/// image and disposes the one the caller passes back in (its previous value); the input image belongs
/// to the input and is never disposed here. A null input image gives null.
/// </summary>
internal sealed class InkNormalizingMapper(DataViewSchema input, string outputColumnName, DataViewSchema.Column image, InkNormalizer normalizer)
    : AppendingMapper(input, [image], new DataViewSchema.DetachedColumn(outputColumnName, new ImageDataViewType(CharacterTile.Side, CharacterTile.Side)))
{
    public static DataViewSchema.Column RequireImage(DataViewSchema input, string inputColumnName)
    {
        DataViewSchema.Column column = input.GetColumnOrNull(inputColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(input), $"The input has no image column '{inputColumnName}'.");
        if (column.Type is not ImageDataViewType)
        {
            throw new ArgumentOutOfRangeException(nameof(input),
                $"Column '{inputColumnName}' must hold images (make it with LoadImages or from MLImage values), but it is {column.Type}.");
        }
        return column;
    }

    /// <summary>The same check on an estimator's schema shape: the visible column of that name holds single images.</summary>
    public static void RequireImage(SchemaShape inputSchema, string inputColumnName)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        // The last column of a name is the visible one; earlier ones are hidden.
        SchemaShape.Column column = inputSchema.LastOrDefault(c => c.Name == inputColumnName);
        if (column.Name != inputColumnName)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The input has no image column '{inputColumnName}'.");
        if (column.ItemType is not ImageDataViewType || column.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Column '{inputColumnName}' must hold images, but it is {column.ItemType} ({column.Kind}).");
    }

    protected internal override Delegate[] MakeGetters(DataViewRow row)
    {
        ValueGetter<MLImage> source = row.GetGetter<MLImage>(image);
        MLImage original = null!;
        ValueGetter<MLImage> normalized = (ref MLImage value) =>
        {
            value?.Dispose();
            source(ref original);
            if (original is null)
            {
                value = null!;
                return;
            }
            value = normalizer.Normalize(original, original.Tag ?? $"row {row.Position}").ToMLImage();
            value.Tag = original.Tag;
        };
        return [normalized];
    }
}
