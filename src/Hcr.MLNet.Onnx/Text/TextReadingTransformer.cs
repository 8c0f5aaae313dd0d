using Hcr.MLNet.DataViews;
using Hcr.MLNet.Imaging;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Hcr.MLNet;

/// <summary>
/// Estimator of <see cref="TextReadingTransformer"/>: from an image column to the text read in each image. Make it
/// with <c>mlContext.Transforms.ReadHandwriting(...)</c>.
/// </summary>
public sealed class TextReadingEstimator : IEstimator<TextReadingTransformer>
{
    private readonly TextReadingTransformer _transformer;

    internal TextReadingEstimator(HandwritingTextReader reader, string outputColumnName, string inputColumnName, string? confidenceColumnName, ReadOptions? options)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        if (confidenceColumnName is not null)
        {
            ArgumentException.ThrowIfNullOrEmpty(confidenceColumnName);
            if (confidenceColumnName == outputColumnName)
                throw new ArgumentException($"The text and its confidence cannot both be column '{outputColumnName}'.", nameof(confidenceColumnName));
        }
        options ??= reader.DefaultReadOptions;
        options.Validate();
        _transformer = new TextReadingTransformer(reader, outputColumnName, inputColumnName, confidenceColumnName, options);
    }

    /// <summary>Checks that the input has the image column and returns the transformer (the reader is trained already).</summary>
    public TextReadingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        InkNormalizingMapper.RequireImage(input.Schema, _transformer.InputColumnName);
        return _transformer;
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        InkNormalizingMapper.RequireImage(inputSchema, _transformer.InputColumnName);
        // SchemaShape columns have no public constructor. A custom mapping that reads nothing and declares exactly the
        // columns this transform adds (renamed) computes the shape; it is never fitted or run.
        SchemaDefinition added = SchemaDefinition.Create(typeof(AddedColumns));
        added[nameof(AddedColumns.Text)].ColumnName = _transformer.OutputColumnName;
        if (_transformer.ConfidenceColumnName is null)
            added.Remove(added[nameof(AddedColumns.Confidence)]);
        else
            added[nameof(AddedColumns.Confidence)].ColumnName = _transformer.ConfidenceColumnName;
        return new MLContext().Transforms.CustomMapping<NoColumns, AddedColumns>((_, _) => { }, contractName: null, outputSchemaDefinition: added)
            .GetOutputSchema(inputSchema);
    }

    private sealed class NoColumns;

    private sealed class AddedColumns
    {
        public string Text { get; set; } = "";

        public float Confidence { get; set; }
    }
}

/// <summary>
/// Reads the handwriting in each image of an image column with a <see cref="HandwritingTextReader"/> into a text column
/// (and optionally a float confidence column). It has nothing to learn: <see cref="TextReadingEstimator.Fit"/> only
/// checks the schema. Rows are read lazily, as a cursor reads the added columns, each image once for both; an image
/// without ink (a blank row) or a missing image reads as the empty text with confidence 0, as
/// <see cref="HandwritingTextReader.Evaluate"/> counts it. The reader is not owned: dispose it after the last use.
/// </summary>
public sealed class TextReadingTransformer : ColumnAppendingTransformer
{
    internal TextReadingTransformer(HandwritingTextReader reader, string outputColumnName, string inputColumnName, string? confidenceColumnName, ReadOptions options)
    {
        Reader = reader;
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        ConfidenceColumnName = confidenceColumnName;
        Options = options;
    }

    /// <summary>The reader that reads each image.</summary>
    public HandwritingTextReader Reader { get; }

    /// <summary>The text column added.</summary>
    public string OutputColumnName { get; }

    /// <summary>The image column read.</summary>
    public string InputColumnName { get; }

    /// <summary>The confidence column added, or null.</summary>
    public string? ConfidenceColumnName { get; }

    /// <summary>How the readings are decoded.</summary>
    public ReadOptions Options { get; }

    private protected override AppendingMapper CreateMapper(DataViewSchema inputSchema) =>
        new TextReadingMapper(inputSchema, this, InkNormalizingMapper.RequireImage(inputSchema, InputColumnName));

    private protected override string WhyNotSavable =>
        "TextReadingTransformer cannot be saved with mlContext.Model.Save: ML.NET only loads its own transformer types from its model zip. " +
        "Save the reader (HandwritingTextReader.Save or ExportOnnx) and rebuild the transform with mlContext.Transforms.ReadHandwriting(...) after loading it.";
}

/// <summary>Appends the text (and the confidence) of each row's image, reading it once for both.</summary>
internal sealed class TextReadingMapper(DataViewSchema input, TextReadingTransformer transformer, DataViewSchema.Column image)
    : AppendingMapper(input, [image], Detached(AddedColumns(transformer.OutputColumnName, transformer.ConfidenceColumnName)))
{
    /// <summary>The columns the transform adds, as a schema: the text, then the confidence when asked for.</summary>
    public static DataViewSchema AddedColumns(string text, string? confidence)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(text, TextDataViewType.Instance);
        if (confidence is not null)
            builder.AddColumn(confidence, NumberDataViewType.Single);
        return builder.ToSchema();
    }

    private static DataViewSchema.DetachedColumn[] Detached(DataViewSchema schema) =>
        [.. schema.Select(c => new DataViewSchema.DetachedColumn(c.Name, c.Type, c.Annotations))];

    protected internal override Delegate[] MakeGetters(DataViewRow row)
    {
        ValueGetter<MLImage> source = row.GetGetter<MLImage>(image);
        MLImage picture = null!;
        long position = -1;
        TextReading reading = Nothing;
        TextReading Current()
        {
            if (row.Position != position)
            {
                source(ref picture);
                reading = picture is null ? Nothing : Read(picture);
                position = row.Position;
            }
            return reading;
        }
        ValueGetter<ReadOnlyMemory<char>> text = (ref ReadOnlyMemory<char> value) => value = Current().Text.AsMemory();
        if (transformer.ConfidenceColumnName is null)
            return [text];
        ValueGetter<float> confidence = (ref float value) => value = (float)Current().Confidence;
        return [text, confidence];
    }

    private static readonly TextReading Nothing = new("", []);

    private TextReading Read(MLImage picture)
    {
        try
        {
            return transformer.Reader.Read(picture, transformer.Options);
        }
        catch (UnusableImageException)
        {
            return Nothing; // no ink: read as nothing, as Evaluate counts it
        }
    }
}
