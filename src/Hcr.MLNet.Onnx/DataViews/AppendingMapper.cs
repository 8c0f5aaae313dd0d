using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.DataViews;

/// <summary>
/// The library's one ML.NET transform core: every input column passes through (same names, same
/// indices) and computed columns are appended after them, each computed from the current row alone.
/// A subclass says which columns it appends, which input columns they read and how to get them for
/// one row (<see cref="MakeGetters"/>); this class gives ML.NET the rest: the lazy view a transformer's
/// <c>Transform</c> returns (<see cref="Transform"/>) and the row-to-row mapping <c>PredictionEngine</c>
/// runs (<see cref="GetRow"/>). Nothing is computed until a consumer reads an appended column, and input
/// columns nobody needs are not read. A mapper is bound to one input schema, as ML.NET's are.
/// </summary>
internal abstract class AppendingMapper : IRowToRowMapper
{
    private readonly DataViewSchema.Column[] _sources;

    /// <param name="input">The input schema.</param>
    /// <param name="sources">The input columns the appended columns are computed from.</param>
    /// <param name="appended">The appended columns, in order; a name already in the input hides that column, as in any ML.NET transform.</param>
    protected AppendingMapper(DataViewSchema input, IEnumerable<DataViewSchema.Column> sources, params DataViewSchema.DetachedColumn[] appended)
    {
        InputSchema = input;
        _sources = sources.ToArray();
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        foreach (DataViewSchema.DetachedColumn column in appended)
            builder.AddColumn(column.Name, column.Type, column.Annotations);
        OutputSchema = builder.ToSchema();
    }

    /// <inheritdoc />
    public DataViewSchema InputSchema { get; }

    /// <inheritdoc />
    public DataViewSchema OutputSchema { get; }

    /// <summary>
    /// Getters of the appended columns, in order, over <paramref name="input"/> (a row or cursor of the
    /// input with the source columns active). The getters of one call may share work: a row's scores
    /// feed both <c>Score</c> and <c>PredictedLabel</c>. Each getter is typed as its column's values are read.
    /// </summary>
    protected internal abstract Delegate[] MakeGetters(DataViewRow input);

    /// <summary>The lazy output view over <paramref name="input"/>, whose schema must be <see cref="InputSchema"/>.</summary>
    public IDataView Transform(IDataView input) => new AppendedDataView(input, this);

    /// <inheritdoc />
    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
        InputColumns(dependingColumns.Select(c => c.Index));

    /// <inheritdoc />
    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new AppendedRow(this, input, activeColumns.Select(c => c.Index), isCursor: false);

    /// <summary>The input columns that the output columns <paramref name="outputIndices"/> read.</summary>
    internal List<DataViewSchema.Column> InputColumns(IEnumerable<int> outputIndices)
    {
        var needed = new List<DataViewSchema.Column>();
        foreach (int index in outputIndices)
        {
            IEnumerable<DataViewSchema.Column> read = index < InputSchema.Count ? [InputSchema[index]] : _sources;
            foreach (DataViewSchema.Column column in read)
            {
                if (!needed.Contains(column))
                    needed.Add(column);
            }
        }
        return needed;
    }
}
