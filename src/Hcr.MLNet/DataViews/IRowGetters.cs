using Microsoft.ML;

namespace Hcr.MLNet.DataViews;

/// <summary>The getters of one row of a view that maps an input view row by row, bound to the input row or cursor underneath.</summary>
internal interface IRowGetters
{
    /// <summary>The getter of <paramref name="column"/> (an output column: passed through from the input, or computed).</summary>
    ValueGetter<TValue> Get<TValue>(DataViewSchema.Column column);
}
