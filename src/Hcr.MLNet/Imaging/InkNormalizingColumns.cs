using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Hcr.MLNet.Imaging;

/// <summary>
/// The transform's schema: the input's columns, then the normalised image, a 28×28 image column
/// (ImageAnalytics' <see cref="ImageDataViewType"/>), so that <c>ExtractPixels</c> can follow it.
/// </summary>
internal static class InkNormalizingColumns
{
    public static DataViewSchema OutputSchema(DataViewSchema input, string outputColumnName, string inputColumnName)
    {
        RequireImage(input, inputColumnName);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        builder.AddColumn(outputColumnName, new ImageDataViewType(NormalizedCharacter.Size, NormalizedCharacter.Size));
        return builder.ToSchema();
    }

    public static DataViewSchema.Column RequireImage(DataViewSchema input, string inputColumnName)
    {
        DataViewSchema.Column? column = input.GetColumnOrNull(inputColumnName);
        if (column is null)
            throw new ArgumentOutOfRangeException(nameof(input), $"The input has no image column '{inputColumnName}'.");
        if (column.Value.Type is not ImageDataViewType)
        {
            throw new ArgumentOutOfRangeException(nameof(input),
                $"Column '{inputColumnName}' must hold images (make it with LoadImages or from MLImage values), but it is {column.Value.Type}.");
        }
        return column.Value;
    }

    /// <summary>A getter on <paramref name="input"/> for <paramref name="column"/> of the output schema.</summary>
    public static ValueGetter<TValue> Getter<TValue>(DataViewRow input, DataViewSchema output, DataViewSchema.Column column, DataViewSchema.Column imageColumn, InkNormalizer normalizer)
    {
        if (column.Index < input.Schema.Count)
            return input.GetGetter<TValue>(input.Schema[column.Index]);
        if (column.Index != output.Count - 1 || typeof(TValue) != typeof(MLImage))
            throw new InvalidOperationException($"Column '{column.Name}' is {output[column.Index].Type}; it cannot be read as {typeof(TValue).Name}.");
        return (ValueGetter<TValue>)(Delegate)InkNormalizingGetter.Create(input, imageColumn, normalizer);
    }
}
