using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Imaging;

/// <summary>One transformed row over one input row: input columns pass through (same indices), the last column is the normalised image.</summary>
internal sealed class InkNormalizingRow : DataViewRow
{
    private readonly DataViewRow _input;
    private readonly HashSet<int> _active;
    private readonly DataViewSchema.Column _imageColumn;
    private readonly InkNormalizer _normalizer;

    public InkNormalizingRow(DataViewRow input, DataViewSchema output, IEnumerable<DataViewSchema.Column> active, DataViewSchema.Column imageColumn, InkNormalizer normalizer)
    {
        _input = input;
        Schema = output;
        _active = active.Select(c => c.Index).ToHashSet();
        _imageColumn = imageColumn;
        _normalizer = normalizer;
    }

    public override DataViewSchema Schema { get; }

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
        InkNormalizingColumns.Getter<TValue>(_input, Schema, column, _imageColumn, _normalizer);
}
