using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Scoring;

/// <summary>A cursor over scored data: moves the input cursor and scores rows as their columns are read.</summary>
internal sealed class ScoringCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor _input;
    private readonly HashSet<int> _active;
    private readonly ScoringGetters _getters;

    public ScoringCursor(DataViewRowCursor input, DataViewSchema output, HashSet<int> active, Func<ScoringCursor, ScoreSource> source)
    {
        _input = input;
        Schema = output;
        _active = active;
        _getters = new ScoringGetters(output, input.Schema.Count, () => source(this));
    }

    /// <summary>The input cursor, whose position the scores follow.</summary>
    internal DataViewRowCursor Input => _input;

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
        return _getters.Get<TValue>(_input, column);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _input.Dispose();
        base.Dispose(disposing);
    }
}
