using Hcr.MLNet.DataViews;
using Microsoft.ML;

namespace Hcr.MLNet.Imaging;

/// <summary>Getters of a normalised row: input columns pass through, the last column is the normalised image.</summary>
internal sealed class InkNormalizingGetters(DataViewRow input, DataViewSchema output, DataViewSchema.Column imageColumn, InkNormalizer normalizer) : IRowGetters
{
    public ValueGetter<TValue> Get<TValue>(DataViewSchema.Column column) =>
        InkNormalizingColumns.Getter<TValue>(input, output, column, imageColumn, normalizer);
}
