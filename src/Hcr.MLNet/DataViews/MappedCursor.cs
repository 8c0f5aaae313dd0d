using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.DataViews;

/// <summary>
/// A cursor over a view that maps an input view row by row (ML.NET's usual lazy transform): it moves the
/// input cursor, takes its position, batch and ids, and asks <see cref="IRowGetters"/> for the columns.
/// </summary>
internal sealed class MappedCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor _input;
    private readonly HashSet<int> _active;
    private readonly IRowGetters _getters;

    public MappedCursor(DataViewRowCursor input, DataViewSchema schema, HashSet<int> active, Func<DataViewRow, IRowGetters> getters)
    {
        _input = input;
        Schema = schema;
        _active = active;
        _getters = getters(input);
    }

    public override DataViewSchema Schema { get; }

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override bool MoveNext() => _input.MoveNext();

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!IsColumnActive(column))
            throw new InvalidOperationException($"Column '{column.Name}' was not requested when this cursor was created.");
        return _getters.Get<TValue>(column);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _input.Dispose();
        base.Dispose(disposing);
    }
}
