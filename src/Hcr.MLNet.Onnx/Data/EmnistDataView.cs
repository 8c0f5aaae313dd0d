using Microsoft.ML;
using Microsoft.ML.Data;
using Hcr.MLNet.DataViews;

namespace Hcr.MLNet.Data;

/// <summary>
/// An <see cref="IDataView"/> over an <see cref="EmnistDataset"/> that reads the dataset's arrays in
/// place: no copy of the images is made, and cursors reuse one buffer per row.
/// </summary>
internal sealed class EmnistDataView : IDataView
{
    private readonly EmnistDataset _data;
    private readonly ReadOnlyMemory<char>[] _labelTexts;

    public EmnistDataView(EmnistDataset data)
    {
        _data = data;
        _labelTexts = data.Classes.Select(c => c.ToString().AsMemory()).ToArray();
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(HcrColumns.Label, TextDataViewType.Instance);
        builder.AddColumn(HcrColumns.Pixels,
            new VectorDataViewType(NumberDataViewType.Single, 1, EmnistDataset.ImageSize, EmnistDataset.ImageSize));
        Schema = builder.ToSchema();
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => true;

    public long? GetRowCount() => _data.Count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        int[]? order = null;
        if (rand is not null)
        {
            order = Enumerable.Range(0, _data.Count).ToArray();
            rand.Shuffle(order);
        }
        return new Cursor(this, columnsNeeded.Select(c => c.Index).ToHashSet(), order);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(EmnistDataView view, HashSet<int> active, int[]? order) : DataViewRowCursor
    {
        private long _position = -1;
        private int _row = -1;

        public override DataViewSchema Schema => view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_position + 1 >= view._data.Count)
            {
                _row = -1;
                return false;
            }
            _position++;
            _row = order is null ? (int)_position : order[_position];
            return true;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId id) => id = new DataViewRowId((ulong)CurrentRow(), 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when this cursor was created.");

            Delegate getter = column.Name switch
            {
                HcrColumns.Label when typeof(TValue) == typeof(ReadOnlyMemory<char>) =>
                    (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) =>
                        value = view._labelTexts[view._data.GetLabel(CurrentRow())]),
                HcrColumns.Pixels when typeof(TValue) == typeof(VBuffer<float>) =>
                    (ValueGetter<VBuffer<float>>)GetPixels,
                _ => throw new InvalidOperationException(
                    $"Column '{column.Name}' is {column.Type}; it cannot be read as {typeof(TValue).Name}."),
            };
            return (ValueGetter<TValue>)getter;
        }

        private void GetPixels(ref VBuffer<float> value)
        {
            ReadOnlySpan<byte> image = view._data.GetImage(CurrentRow());
            var editor = VBufferEditor.Create(ref value, EmnistDataset.PixelsPerImage);
            for (int i = 0; i < image.Length; i++)
                editor.Values[i] = image[i];
            value = editor.Commit();
        }

        private int CurrentRow() =>
            _row >= 0 ? _row : throw new InvalidOperationException("The cursor is not on a row: call MoveNext first.");
    }
}
