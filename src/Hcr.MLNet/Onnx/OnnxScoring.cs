using Hcr.MLNet.DataViews;
using Hcr.MLNet.Scoring;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Onnx;

/// <summary>
/// Where the input's columns and the ONNX output are in the schema of ML.NET's ONNX transform (and
/// the pixels copy before it). ML.NET inserts a new column right after an input column of the same
/// name, which it hides, so positions shift: the map is built by walking the inner schema, skipping
/// the columns the transforms added, and checking that the rest are the input's columns in order.
/// </summary>
internal sealed class OnnxColumnMap
{
    private OnnxColumnMap(int[] inputToInner, DataViewSchema.Column probabilities, int classCount)
    {
        InputToInner = inputToInner;
        Probabilities = probabilities;
        ClassCount = classCount;
    }

    /// <summary>Inner column index of each input column.</summary>
    public int[] InputToInner { get; }

    public int InputCount => InputToInner.Length;

    /// <summary>The ONNX transform's <c>probabilities</c> column.</summary>
    public DataViewSchema.Column Probabilities { get; }

    public int ClassCount { get; }

    /// <param name="input">The schema given to <see cref="OnnxCnnModel"/>.</param>
    /// <param name="inner">The schema after the pixels copy (if any) and the ONNX transform.</param>
    /// <param name="copied">Whether a pixels copy (a visible <c>pixels</c> column) was added.</param>
    /// <param name="classCount">Number of classes.</param>
    public static OnnxColumnMap Build(DataViewSchema input, DataViewSchema inner, bool copied, int classCount)
    {
        DataViewSchema.Column probabilities = inner[OnnxFormat.ProbabilitiesName];
        var added = new HashSet<int> { probabilities.Index };
        if (copied)
            added.Add(inner[OnnxFormat.InputName].Index);
        var map = new int[input.Count];
        int next = 0;
        for (int i = 0; i < inner.Count && next < input.Count; i++)
        {
            if (added.Contains(i))
                continue;
            if (inner[i].Name != input[next].Name || !inner[i].Type.Equals(input[next].Type))
                throw new InvalidOperationException($"Unexpected column '{inner[i].Name}' at position {i} after the ONNX transform; expected the input's '{input[next].Name}'.");
            map[next++] = i;
        }
        if (next != input.Count)
            throw new InvalidOperationException("The ONNX transform's output lacks some of the input's columns.");
        return new OnnxColumnMap(map, probabilities, classCount);
    }

    /// <summary>The inner columns needed for <paramref name="active"/> outer columns (by index).</summary>
    public List<DataViewSchema.Column> Inner(IEnumerable<int> active, DataViewSchema inner)
    {
        var columns = new List<DataViewSchema.Column>();
        foreach (int index in active.Order())
        {
            if (index < InputCount)
                columns.Add(inner[InputToInner[index]]);
            else if (!columns.Contains(Probabilities))
                columns.Add(Probabilities);
        }
        return columns;
    }
}

/// <summary>
/// The view <see cref="OnnxCnnModel.Transform"/> returns: the input's columns (same positions) plus
/// <c>Score</c> and <c>PredictedLabel</c>, read from the <c>probabilities</c> column that ML.NET's
/// OnnxTransformer adds. The transforms' own columns (and the input columns they hide) are never
/// exposed: columns are found through an <see cref="OnnxColumnMap"/>, not by name.
/// </summary>
internal sealed class OnnxScoringDataView(IDataView scored, DataViewSchema schema, OnnxColumnMap map) : IDataView
{
    public DataViewSchema Schema => schema;

    public bool CanShuffle => scored.CanShuffle;

    public long? GetRowCount() => scored.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var active = columnsNeeded.Select(c => c.Index).ToHashSet();
        return new MappedCursor(scored.GetRowCursor(map.Inner(active, scored.Schema), rand), schema, active, row => new OnnxScoringColumns(row, schema, map));
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        var active = columnsNeeded.Select(c => c.Index).ToHashSet();
        return scored.GetRowCursorSet(map.Inner(active, scored.Schema), n, rand)
            .Select(DataViewRowCursor (c) => new MappedCursor(c, schema, active, row => new OnnxScoringColumns(row, schema, map)))
            .ToArray();
    }
}

/// <summary>Maps the scored columns to the columns of the inner (ONNX-transformed) row and reads them.</summary>
internal sealed class OnnxScoringColumns(DataViewRow inner, DataViewSchema schema, OnnxColumnMap map) : IRowGetters
{
    private ValueGetter<VBuffer<float>>? _probabilities;
    private VBuffer<float> _buffer;

    public ValueGetter<TValue> Get<TValue>(DataViewSchema.Column column)
    {
        int inputCount = map.InputCount;
        if (column.Index < inputCount)
            return inner.GetGetter<TValue>(inner.Schema[map.InputToInner[column.Index]]);
        Delegate getter = column.Index switch
        {
            _ when column.Index == inputCount && typeof(TValue) == typeof(VBuffer<float>) =>
                (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                {
                    ReadOnlySpan<float> p = Current();
                    var editor = VBufferEditor.Create(ref value, p.Length);
                    p.CopyTo(editor.Values);
                    value = editor.Commit();
                }),
            _ when column.Index == inputCount + 1 && typeof(TValue) == typeof(uint) =>
                (ValueGetter<uint>)((ref uint value) => value = (uint)NetworkScorer.ArgMax(Current()) + 1),
            _ => throw new InvalidOperationException($"Column '{column.Name}' is {schema[column.Index].Type}; it cannot be read as {typeof(TValue).Name}."),
        };
        return (ValueGetter<TValue>)getter;
    }

    /// <summary>The current row's probabilities (ML.NET's OnnxTransformer runs the model once per row and caches its outputs).</summary>
    private ReadOnlySpan<float> Current()
    {
        _probabilities ??= inner.GetGetter<VBuffer<float>>(map.Probabilities);
        _probabilities(ref _buffer);
        if (_buffer.Length != map.ClassCount)
            throw new InvalidOperationException($"The ONNX model gave {_buffer.Length} probabilities for a row; the model has {map.ClassCount} classes.");
        return _buffer.GetValues().Length == map.ClassCount ? _buffer.GetValues() : _buffer.DenseValues().ToArray();
    }
}

/// <summary>Row-to-row scoring over ML.NET's ONNX row mapper.</summary>
internal sealed class OnnxScoringRowMapper(DataViewSchema input, DataViewSchema output, IRowToRowMapper inner, OnnxColumnMap map) : IRowToRowMapper
{
    public DataViewSchema InputSchema => input;

    public DataViewSchema OutputSchema => output;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
        inner.GetDependencies(map.Inner(dependingColumns.Select(c => c.Index), inner.OutputSchema));

    public DataViewRow GetRow(DataViewRow inputRow, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        var active = activeColumns.Select(c => c.Index).ToHashSet();
        DataViewRow row = inner.GetRow(inputRow, map.Inner(active, inner.OutputSchema));
        return new MappedRow(row, output, activeColumns, r => new OnnxScoringColumns(r, output, map), ownsInput: true);
    }
}

/// <summary>A view with a schema and no rows: what ML.NET estimators' <c>Fit</c> needs when only the schema matters.</summary>
internal sealed class SchemaOnlyDataView(DataViewSchema schema) : IDataView
{
    public DataViewSchema Schema => schema;

    public bool CanShuffle => false;

    public long? GetRowCount() => 0;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        throw new InvalidOperationException("This view only describes a schema; it has no rows to read.");

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        throw new InvalidOperationException("This view only describes a schema; it has no rows to read.");
}
