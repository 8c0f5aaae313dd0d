using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Scoring;

/// <summary>
/// Getters of the scored columns over a row or cursor of the input: input columns pass through
/// unchanged (same indices), <c>Score</c> and <c>PredictedLabel</c> come from a <see cref="ScoreSource"/>.
/// </summary>
internal sealed class ScoringGetters(DataViewSchema output, int inputColumnCount, Func<ScoreSource> source)
{
    private ScoreSource? _source;

    public ScoreSource Source => _source ??= source();

    public ValueGetter<TValue> Get<TValue>(DataViewRow input, DataViewSchema.Column column)
    {
        if (column.Index < inputColumnCount)
            return input.GetGetter<TValue>(input.Schema[column.Index]);
        Delegate getter = column.Index switch
        {
            _ when column.Index == inputColumnCount && typeof(TValue) == typeof(VBuffer<float>) =>
                (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                {
                    ReadOnlySpan<float> p = Source.Current;
                    var editor = VBufferEditor.Create(ref value, p.Length);
                    p.CopyTo(editor.Values);
                    value = editor.Commit();
                }),
            _ when column.Index == inputColumnCount + 1 && typeof(TValue) == typeof(uint) =>
                (ValueGetter<uint>)((ref uint value) => value = (uint)NetworkScorer.ArgMax(Source.Current) + 1),
            _ => throw new InvalidOperationException($"Column '{column.Name}' is {output[column.Index].Type}; it cannot be read as {typeof(TValue).Name}."),
        };
        return (ValueGetter<TValue>)getter;
    }

}

/// <summary>One scored row over one input row: what <c>PredictionEngine</c> uses.</summary>
internal sealed class ScoringRow : DataViewRow
{
    private readonly DataViewRow _input;
    private readonly HashSet<int> _active;
    private readonly ScoringGetters _getters;

    public ScoringRow(DataViewRow input, DataViewSchema output, IEnumerable<DataViewSchema.Column> active, NetworkScorer scorer, DataViewSchema.Column pixels)
    {
        _input = input;
        Schema = output;
        _active = active.Select(c => c.Index).ToHashSet();
        int inputCount = input.Schema.Count;
        _getters = new ScoringGetters(output, inputCount,
            () => new ScoreSource(scorer, input, input.GetGetter<VBuffer<float>>(pixels)));
    }

    public override DataViewSchema Schema { get; }

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _getters.Get<TValue>(_input, column);

}
