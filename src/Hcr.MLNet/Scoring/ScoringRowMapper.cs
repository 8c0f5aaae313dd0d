using Hcr.MLNet.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Scoring;

/// <summary>Row-to-row scoring, for <c>PredictionEngine</c> and ML.NET's chained row mappers.</summary>
internal sealed class ScoringRowMapper(DataViewSchema input, DataViewSchema output, IBatchScorer scorer, DataViewSchema.Column pixels) : IRowToRowMapper
{
    public DataViewSchema InputSchema => input;

    public DataViewSchema OutputSchema => output;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = new List<DataViewSchema.Column>();
        foreach (DataViewSchema.Column column in dependingColumns)
        {
            if (column.Index < input.Count)
                needed.Add(input[column.Index]);
            else if (!needed.Contains(pixels))
                needed.Add(pixels);
        }
        return needed;
    }

    public DataViewRow GetRow(DataViewRow inputRow, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new MappedRow(inputRow, output, activeColumns, row => new ScoringGetters(row, output, scorer, pixels), ownsInput: false);
}
