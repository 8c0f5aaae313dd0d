using Microsoft.ML;

namespace Hcr.MLNet.DataViews;

/// <summary>The lazy view of an <see cref="AppendingMapper"/> over an input view.</summary>
internal sealed class AppendedDataView(IDataView input, AppendingMapper mapper) : IDataView
{
    public DataViewSchema Schema => mapper.OutputSchema;

    public bool CanShuffle => input.CanShuffle;

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        int[] active = columnsNeeded.Select(c => c.Index).ToArray();
        return new AppendedRow(mapper, input.GetRowCursor(mapper.InputColumns(active), rand), active, isCursor: true);
    }

    /// <summary>
    /// One cursor over each of the input's: every appended column is computed from its own row by a
    /// thread-safe mapper, so the work splits as the input splits, and a consumer that asks for several
    /// cursors (to normalise or score on several threads) gets them.
    /// </summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        int[] active = columnsNeeded.Select(c => c.Index).ToArray();
        return input.GetRowCursorSet(mapper.InputColumns(active), n, rand)
            .Select(cursor => (DataViewRowCursor)new AppendedRow(mapper, cursor, active, isCursor: true))
            .ToArray();
    }
}
