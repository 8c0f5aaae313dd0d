using Hcr.MLNet.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Training;

/// <summary>
/// Images and key labels read out of an <see cref="IDataView"/>, after checking that the columns are
/// what the trainer needs and that every value is usable. Errors name the column and the row.
/// </summary>
internal sealed class LabeledImages
{
    private LabeledImages(float[] pixels, long[] labels, int classCount, string[] classNames)
    {
        Pixels = pixels;
        Labels = labels;
        ClassCount = classCount;
        ClassNames = classNames;
    }

    /// <summary>Count × 784 floats in 0..1.</summary>
    public float[] Pixels { get; }

    /// <summary>Class indices 0..ClassCount-1 (key value minus one).</summary>
    public long[] Labels { get; }

    public int ClassCount { get; }

    /// <summary>The label's key values as text, by class index.</summary>
    public string[] ClassNames { get; }

    public int Count => Labels.Length;

    public static LabeledImages Read(IDataView data, string labelColumn, string pixelsColumn, string role, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(data);
        DataViewSchema.Column label = RequireLabel(data.Schema, labelColumn, role);
        DataViewSchema.Column pixels = CharacterTile.RequirePixels(data.Schema, pixelsColumn, role);
        var keyType = (KeyDataViewType)label.Type;
        int classCount = checked((int)keyType.Count);

        var pixelBuffer = new List<float>(data.GetRowCount() is long rows ? (int)Math.Min(rows * CharacterTile.PixelCount, int.MaxValue) : 1 << 20);
        var labels = new List<long>();
        using (DataViewRowCursor cursor = data.GetRowCursor([label, pixels]))
        {
            ValueGetter<uint> getLabel = cursor.GetGetter<uint>(label);
            ValueGetter<VBuffer<float>> getPixels = cursor.GetGetter<VBuffer<float>>(pixels);
            uint key = 0;
            VBuffer<float> image = default;
            float[] dense = new float[CharacterTile.PixelCount];
            while (cursor.MoveNext())
            {
                if ((cursor.Position & 1023) == 0)
                    cancellation.ThrowIfCancellationRequested();
                getLabel(ref key);
                if (key == 0)
                    throw new InvalidDataException($"{role} data: label column '{labelColumn}' has a missing value (key 0) at row {cursor.Position}.");
                getPixels(ref image);
                image.CopyTo(dense);
                CharacterTile.CheckPixels(dense, pixelsColumn, role, cursor.Position);
                pixelBuffer.AddRange(dense);
                labels.Add(key - 1);
            }
        }
        if (labels.Count == 0)
            throw new InvalidOperationException($"The {role} data has no rows.");
        return new LabeledImages(pixelBuffer.ToArray(), labels.ToArray(), classCount, ClassNamesOf(label, classCount));
    }

    /// <summary>Throws when some class of the key type has no image, naming the class.</summary>
    public void RequireEveryClass(string labelColumn)
    {
        var seen = new bool[ClassCount];
        foreach (long label in Labels)
            seen[label] = true;
        int[] absent = Enumerable.Range(0, ClassCount).Where(c => !seen[c]).ToArray();
        if (absent.Length > 0)
        {
            string names = string.Join(", ", absent.Take(10).Select(c => $"'{ClassNames[c]}' (key {c + 1})"));
            throw new InvalidDataException(
                $"Label column '{labelColumn}' has {ClassCount} classes, but {absent.Length} of them have no training images: {names}. " +
                "Every class of the label's key type needs training images; map labels from the training data only.");
        }
    }

    internal static DataViewSchema.Column RequireLabel(DataViewSchema schema, string name, string role)
    {
        DataViewSchema.Column column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"The {role} data has no label column '{name}' (columns: {string.Join(", ", schema.Select(c => c.Name))}).");
        if (column.Type is not KeyDataViewType key || key.RawType != typeof(uint))
        {
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Label column '{name}' must have a key type (make it with mlContext.Transforms.Conversion.MapValueToKey(\"{name}\")), but it is {column.Type}.");
        }
        if (key.Count < 2)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Label column '{name}' has {key.Count} class(es); at least two are needed.");
        return column;
    }

    internal static string[] ClassNamesOf(DataViewSchema.Column label, int classCount)
    {
        DataViewSchema.Column? keyValues = label.Annotations.Schema.GetColumnOrNull(AnnotationKind.KeyValues);
        if (keyValues?.Type is VectorDataViewType { ItemType: TextDataViewType })
        {
            VBuffer<ReadOnlyMemory<char>> values = default;
            label.GetKeyValues(ref values);
            string[] names = values.DenseValues().Select(v => v.ToString()).ToArray();
            if (names.Length == classCount)
                return names;
        }
        // Keys without text values are named by their key number.
        return Enumerable.Range(1, classCount).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }
}
