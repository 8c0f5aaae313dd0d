using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Imaging;

/// <summary>
/// Normalises an image column (<see cref="InkNormalizer"/>) into a new 28×28 grey image column, ready
/// for ImageAnalytics' <c>ExtractPixels</c>. It has nothing to learn: <see cref="InkNormalizingEstimator.Fit"/>
/// only checks the schema. Rows are normalised lazily, as they are read; an image without ink raises
/// <see cref="UnusableImageException"/> when its row is read.
/// </summary>
public sealed class InkNormalizingTransformer : ITransformer
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

    /// <summary>Always true: each row is normalised on its own.</summary>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return InkNormalizingColumns.OutputSchema(inputSchema, OutputColumnName, InputColumnName);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        DataViewSchema output = GetOutputSchema(input.Schema);
        return new InkNormalizingDataView(input, output, input.Schema[InputColumnName], Normalizer);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        DataViewSchema output = GetOutputSchema(inputSchema);
        return new InkNormalizingRowMapper(inputSchema, output, inputSchema[InputColumnName], Normalizer);
    }

    /// <summary>Not supported: ML.NET's model zip only loads transformers registered inside ML.NET.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "InkNormalizingTransformer cannot be saved with mlContext.Model.Save: ML.NET only loads its own transformer types from " +
            "its model zip. It has nothing learned to save; rebuild it with mlContext.Transforms.NormalizeInk(...) and the same " +
            "InkNormalizationOptions when loading, and save only the trained parts of the pipeline.");
}
