using Hcr.MLNet.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Scoring;

/// <summary>
/// Getters of the scored columns over a row or cursor of the input: input columns pass through
/// unchanged (same indices), <c>Score</c> and <c>PredictedLabel</c> come from the row's scores.
/// </summary>
internal sealed class ScoringGetters(DataViewRow input, DataViewSchema output, IBatchScorer scorer, DataViewSchema.Column pixels) : IRowGetters
{
    private ScoreSource? _source;

    private ScoreSource Source => _source ??= new ScoreSource(scorer, input, input.GetGetter<VBuffer<float>>(pixels));

    public ValueGetter<TValue> Get<TValue>(DataViewSchema.Column column)
    {
        int inputCount = input.Schema.Count;
        if (column.Index < inputCount)
            return input.GetGetter<TValue>(input.Schema[column.Index]);
        Delegate getter = column.Index switch
        {
            _ when column.Index == inputCount && typeof(TValue) == typeof(VBuffer<float>) =>
                (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                {
                    ReadOnlySpan<float> p = Source.Current;
                    var editor = VBufferEditor.Create(ref value, p.Length);
                    p.CopyTo(editor.Values);
                    value = editor.Commit();
                }),
            _ when column.Index == inputCount + 1 && typeof(TValue) == typeof(uint) =>
                (ValueGetter<uint>)((ref uint value) => value = (uint)ClassScores.ArgMax(Source.Current) + 1),
            _ => throw new InvalidOperationException($"Column '{column.Name}' is {output[column.Index].Type}; it cannot be read as {typeof(TValue).Name}."),
        };
        return (ValueGetter<TValue>)getter;
    }
}
