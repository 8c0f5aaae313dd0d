using Hcr.MLNet.Data;
using Hcr.MLNet.Tests.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Tests.Data;

public class EmnistDataViewTests
{
    private sealed class Row
    {
        public string Label { get; set; } = "";

        [VectorType(784)]
        public float[] Pixels { get; set; } = [];
    }

    private static readonly EmnistDataset Data =
        EmnistDataset.Create(EmnistFiles.PatternImages(3), [1, 0, 1], ['x', 'Y']);

    [Fact]
    public void Schema_has_text_label_and_784_float_pixels()
    {
        var view = Data.ToDataView(new MLContext());
        Assert.Equal(3, view.GetRowCount());
        Assert.Equal(TextDataViewType.Instance, view.Schema["Label"].Type);
        var pixels = Assert.IsType<VectorDataViewType>(view.Schema["Pixels"].Type);
        Assert.Equal(NumberDataViewType.Single, pixels.ItemType);
        Assert.Equal(784, pixels.Size);
    }

    [Fact]
    public void Rows_carry_the_character_and_raw_pixel_values()
    {
        var ml = new MLContext();
        var rows = ml.Data.CreateEnumerable<Row>(Data.ToDataView(ml), reuseRowObject: false).ToList();
        Assert.Equal(["Y", "x", "Y"], rows.Select(r => r.Label));
        for (int i = 0; i < 3; i++)
            Assert.Equal(Data.GetImage(i).ToArray().Select(b => (float)b), rows[i].Pixels);
    }

    [Fact]
    public void Works_with_ordinary_MLNet_transforms()
    {
        var ml = new MLContext();
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.Transforms.Expression("Pixels", "x => x / 255", "Pixels"));
        var view = Data.ToDataView(ml);
        var transformed = pipeline.Fit(view).Transform(view);

        var keyType = Assert.IsType<KeyDataViewType>(transformed.Schema["Label"].Type);
        Assert.Equal(2UL, keyType.Count);
        VBuffer<ReadOnlyMemory<char>> keyValues = default;
        transformed.Schema["Label"].GetKeyValues(ref keyValues);
        string[] names = keyValues.DenseValues().Select(v => v.ToString()).ToArray();
        var keys = transformed.GetColumn<uint>("Label").ToArray();
        // Keys are 1-based indices into the key values: each row's key names its character.
        Assert.Equal(["Y", "x", "Y"], keys.Select(k => names[k - 1]));
        var first = transformed.GetColumn<float[]>("Pixels").First();
        Assert.Equal(Data.GetImage(0)[5] / 255f, first[5], 6);
    }

    [Fact]
    public void Shuffled_cursor_visits_every_row_once()
    {
        var ml = new MLContext(seed: 3);
        var shuffled = ml.Data.ShuffleRows(Data.ToDataView(ml));
        var labels = ml.Data.CreateEnumerable<Row>(shuffled, false).Select(r => r.Label).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["Y", "Y", "x"], labels);
    }
}
