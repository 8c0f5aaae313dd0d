using Hcr.MLNet.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.DataViews;

// In the root namespace, like HcrColumns: users meet it as the base of the library's transformers.

/// <summary>
/// The base of this library's ML.NET transformers (ink normalisation, TorchSharp and ONNX scoring, text reading): each
/// appends columns computed from one row at a time, lazily, as a cursor reads them, and passes the input columns
/// through. This class gives ML.NET the transformer once; a transformer only says how it maps a schema. Classes outside
/// this library cannot derive from it.
/// </summary>
public abstract class ColumnAppendingTransformer : ITransformer
{
    private protected ColumnAppendingTransformer()
    {
    }

    /// <summary>Always true: each row is mapped on its own (a <c>PredictionEngine</c> maps row by row).</summary>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return CreateMapper(inputSchema).OutputSchema;
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ThrowIfUnusable();
        return CreateMapper(input.Schema).Transform(input);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ThrowIfUnusable();
        return CreateMapper(inputSchema);
    }

    /// <summary>The mapping of <paramref name="inputSchema"/>: its columns checked, the appended ones described.</summary>
    private protected abstract AppendingMapper CreateMapper(DataViewSchema inputSchema);

    /// <summary>Throws when the transformer can no longer map rows (a disposed model).</summary>
    private protected virtual void ThrowIfUnusable()
    {
    }

    /// <summary>Why <c>mlContext.Model.Save</c> cannot save this transformer, and what to save instead.</summary>
    private protected abstract string WhyNotSavable { get; }

    /// <summary>Not supported: ML.NET's model zip only loads transformer types registered inside ML.NET.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException(WhyNotSavable);
}
