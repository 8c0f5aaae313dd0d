using Microsoft.ML;

using Hcr.MLNet.DataViews;

namespace Hcr.MLNet.Imaging;

/// <summary>
/// The lazy view <see cref="InkNormalizingTransformer.Transform"/> returns: nothing is normalised until a
/// cursor reads the output column, and only the input columns a consumer needs are read.
/// </summary>
internal sealed class InkNormalizingDataView(IDataView input, DataViewSchema schema, DataViewSchema.Column imageColumn, InkNormalizer normalizer) : IDataView
{
    public DataViewSchema Schema => schema;

    public bool CanShuffle => input.CanShuffle;

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        HashSet<int> active = columnsNeeded.Select(c => c.Index).ToHashSet();
        return new MappedCursor(input.GetRowCursor(InputColumns(active), rand), schema, active, Getters);
    }

    /// <summary>One cursor per input cursor: normalisation, the costly part, then runs on several threads when a consumer asks for them.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        HashSet<int> active = columnsNeeded.Select(c => c.Index).ToHashSet();
        return input.GetRowCursorSet(InputColumns(active), n, rand)
            .Select(cursor => (DataViewRowCursor)new MappedCursor(cursor, schema, active, Getters))
            .ToArray();
    }

    private InkNormalizingGetters Getters(DataViewRow row) => new(row, schema, imageColumn, normalizer);

    private List<DataViewSchema.Column> InputColumns(HashSet<int> active)
    {
        var columns = active.Where(i => i < input.Schema.Count).Select(i => input.Schema[i]).ToList();
        if (active.Contains(schema.Count - 1) && !columns.Contains(imageColumn))
            columns.Add(imageColumn);
        return columns;
    }
}
