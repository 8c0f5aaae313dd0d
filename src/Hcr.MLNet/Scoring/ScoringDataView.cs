using Hcr.MLNet.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Scoring;

/// <summary>
/// The lazily scored view that a scoring transformer's <c>Transform</c> returns: nothing runs until a
/// cursor reads <c>Score</c> or <c>PredictedLabel</c>, and input columns a consumer does not read are
/// not computed (ML.NET's usual laziness).
/// </summary>
internal sealed class ScoringDataView(IDataView input, DataViewSchema schema, IBatchScorer scorer, DataViewSchema.Column pixels) : IDataView
{
    public DataViewSchema Schema => schema;

    public bool CanShuffle => input.CanShuffle;

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        HashSet<int> active = columnsNeeded.Select(c => c.Index).ToHashSet();
        int inputCount = input.Schema.Count;
        bool scores = active.Contains(inputCount) || active.Contains(inputCount + 1);
        var inputColumns = active.Where(i => i < inputCount).Select(i => input.Schema[i]).ToList();
        if (scores && !inputColumns.Contains(pixels))
            inputColumns.Add(pixels);
        DataViewRowCursor cursor = input.GetRowCursor(inputColumns, rand);
        return new MappedCursor(cursor, schema, active, row => new ScoringGetters(row, schema, scorer, pixels));
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}
