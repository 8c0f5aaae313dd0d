using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.DataViews;

/// <summary>
/// One row mapped from one input row, for row-to-row mappers (<c>PredictionEngine</c>): position and ids
/// are the input row's, columns come from <see cref="IRowGetters"/>.
/// </summary>
internal sealed class MappedRow : DataViewRow
{
    private readonly DataViewRow _input;
    private readonly HashSet<int> _active;
    private readonly IRowGetters _getters;
    private readonly bool _ownsInput;

    /// <param name="input">The row underneath.</param>
    /// <param name="schema">The mapped row's schema.</param>
    /// <param name="active">The active columns.</param>
    /// <param name="getters">Makes the column getters over <paramref name="input"/>.</param>
    /// <param name="ownsInput">Whether disposing this row disposes <paramref name="input"/> (true when the mapper made it).</param>
    public MappedRow(DataViewRow input, DataViewSchema schema, IEnumerable<DataViewSchema.Column> active, Func<DataViewRow, IRowGetters> getters, bool ownsInput)
    {
        _input = input;
        Schema = schema;
        _active = active.Select(c => c.Index).ToHashSet();
        _getters = getters(input);
        _ownsInput = ownsInput;
    }

    public override DataViewSchema Schema { get; }

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _getters.Get<TValue>(column);

    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsInput)
            _input.Dispose();
        base.Dispose(disposing);
    }
}
