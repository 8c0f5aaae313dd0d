using Microsoft.ML;
using Microsoft.ML.Data;

using Hcr.MLNet.DataViews;

namespace Hcr.MLNet.Imaging;

/// <summary>Row-to-row normalisation, for <c>PredictionEngine</c> and ML.NET's chained row mappers.</summary>
internal sealed class InkNormalizingRowMapper(DataViewSchema input, DataViewSchema output, DataViewSchema.Column imageColumn, InkNormalizer normalizer) : IRowToRowMapper
{
    public DataViewSchema InputSchema => input;

    public DataViewSchema OutputSchema => output;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = new List<DataViewSchema.Column>();
        foreach (DataViewSchema.Column column in dependingColumns)
        {
            DataViewSchema.Column source = column.Index < input.Count ? input[column.Index] : imageColumn;
            if (!needed.Contains(source))
                needed.Add(source);
        }
        return needed;
    }

    public DataViewRow GetRow(DataViewRow inputRow, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new MappedRow(inputRow, output, activeColumns, row => new InkNormalizingGetters(row, output, imageColumn, normalizer), ownsInput: false);
}
