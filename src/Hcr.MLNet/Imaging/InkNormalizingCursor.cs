using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Imaging;

/// <summary>A cursor over normalised data: moves the input cursor; the image is normalised when its column is read.</summary>
internal sealed class InkNormalizingCursor(DataViewRowCursor input, DataViewSchema output, HashSet<int> active, DataViewSchema.Column imageColumn, InkNormalizer normalizer)
    : DataViewRowCursor
{
    public override DataViewSchema Schema => output;

    public override long Position => input.Position;

    public override long Batch => input.Batch;

    public override bool MoveNext() => input.MoveNext();

    public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!IsColumnActive(column))
            throw new InvalidOperationException($"Column '{column.Name}' was not requested when this cursor was created.");
        return InkNormalizingColumns.Getter<TValue>(input, output, column, imageColumn, normalizer);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            input.Dispose();
        base.Dispose(disposing);
    }
}
