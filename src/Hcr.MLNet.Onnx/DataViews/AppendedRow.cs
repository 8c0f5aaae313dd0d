using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.DataViews;

/// <summary>
/// A row of an <see cref="AppendingMapper"/>'s output over a row of its input: input columns are the
/// input row's own getters; appended ones are made when one is first asked for, since the source
/// columns are active only when an appended column is. Over an input cursor it is a cursor (it moves
/// the input and disposes it); over the row given to <see cref="AppendingMapper.GetRow"/> it only reads
/// that row, which its caller moves and owns.
/// </summary>
internal sealed class AppendedRow : DataViewRowCursor
{
    private readonly AppendingMapper _mapper;
    private readonly DataViewRow _input;
    private readonly HashSet<int> _active;
    private readonly DataViewRowCursor? _cursor;
    private Delegate[]? _appended;

    /// <param name="mapper">The mapper whose output this is a row of.</param>
    /// <param name="input">The input row.</param>
    /// <param name="active">The output columns that may be read.</param>
    /// <param name="isCursor">Whether this is a cursor over <paramref name="input"/> (a cursor, then, which this one moves and disposes) rather than a row its caller moves.</param>
    public AppendedRow(AppendingMapper mapper, DataViewRow input, IEnumerable<int> active, bool isCursor)
    {
        _mapper = mapper;
        _input = input;
        _active = active.ToHashSet();
        _cursor = isCursor ? (DataViewRowCursor)input : null;
    }

    public override DataViewSchema Schema => _mapper.OutputSchema;

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override bool MoveNext() => _cursor?.MoveNext()
        ?? throw new InvalidOperationException("A mapped row does not move by itself; its caller moves the row underneath.");

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!IsColumnActive(column))
            throw new InvalidOperationException($"Column '{column.Name}' was not requested when this row or cursor was made.");
        int inputCount = _mapper.InputSchema.Count;
        if (column.Index < inputCount)
            return _input.GetGetter<TValue>(_input.Schema[column.Index]);
        _appended ??= _mapper.MakeGetters(_input);
        return _appended[column.Index - inputCount] as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' is {Schema[column.Index].Type}; it cannot be read as {typeof(TValue).Name}.");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _cursor?.Dispose();
        base.Dispose(disposing);
    }
}
