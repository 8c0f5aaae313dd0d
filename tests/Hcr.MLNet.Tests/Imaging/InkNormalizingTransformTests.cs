using Hcr.MLNet.Imaging;
using Hcr.MLNet.Tests.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using SkiaSharp;

namespace Hcr.MLNet.Tests.Imaging;

public class InkNormalizingTransformTests
{
    private readonly MLContext _ml = new(seed: 1);

    public sealed class PhotoRow
    {
        // ML.NET reads MLImage members only as images of a declared size. The size is nominal: images of
        // any size pass through ConvertToGrayscale and NormalizeInk, and only ExtractPixels, after
        // NormalizeInk, needs a real size (28×28).
        [ImageType(100, 100)]
        public MLImage Image { get; set; } = null!;
    }

    public sealed class PixelsRow
    {
        [VectorType(1, 28, 28)]
        public float[] Pixels { get; set; } = [];
    }

    public sealed class PathRow
    {
        public string Path { get; set; } = "";
    }

    private EstimatorChain<ImagePixelExtractingTransformer> Chain(string input = "Image") =>
        _ml.Transforms.ConvertToGrayscale("Grey", input)
            .Append(_ml.Transforms.NormalizeInk("Tile", "Grey"))
            .Append(_ml.Transforms.ExtractPixels("Pixels", "Tile", colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Red, scaleImage: 1f / 255));

    private IDataView Load(IEnumerable<MLImage> images) =>
        _ml.Data.LoadFromEnumerable(images.Select(p => new PhotoRow { Image = p }));

    /// <summary>ML.NET wraps an exception thrown while it reads rows on several threads; the cause is inside.</summary>
    private static T ThrowsWithin<T>(Action action) where T : Exception
    {
        Exception e = Assert.ThrowsAny<Exception>(action);
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is T found)
                return found;
        }
        throw new Xunit.Sdk.XunitException($"Expected {typeof(T).Name} within {e}");
    }

    /// <summary>SchemaShape.Create is internal to ML.NET; estimators' GetOutputSchema is tested through it all the same.</summary>
    private static SchemaShape Shape(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static, [typeof(DataViewSchema)])!
            .Invoke(null, [schema])!;

    private static List<MLImage> Photos(int count)
    {
        var loader = new CharacterImageLoader();
        return EmnistSamples.Indices(count, seed: 21)
            .Select(i => loader.Load(PhotoRenderer.Render(EmnistSamples.ByMerge.GetImage(i), new Random(i), SKEncodedImageFormat.Jpeg)))
            .ToList();
    }

    [DataFact(SharedDataSet.Emnist)]
    public void Chain_gives_the_784_floats_of_the_core_normaliser()
    {
        List<MLImage> photos = Photos(6);
        var normalizer = new InkNormalizer();
        // Before the pipeline runs: ConvertToGrayscale disposes the images it reads, as ML.NET's image transforms do.
        byte[][] direct = photos.Select(p => normalizer.Normalize(p).Pixels.ToArray()).ToArray();
        IDataView data = Load(photos);
        var model = Chain().Fit(data);
        IDataView transformed = model.Transform(data);

        var pixelsType = (VectorDataViewType)transformed.Schema["Pixels"].Type;
        Assert.Equal([1, 28, 28], pixelsType.Dimensions.ToArray());
        Assert.Equal(new ImageDataViewType(28, 28), transformed.Schema["Tile"].Type);

        DataViewSchema.Column greyColumn = transformed.Schema["Grey"], pixelsColumn = transformed.Schema["Pixels"];
        using DataViewRowCursor cursor = transformed.GetRowCursor([greyColumn, pixelsColumn]);
        ValueGetter<MLImage> grey = cursor.GetGetter<MLImage>(greyColumn);
        ValueGetter<VBuffer<float>> pixels = cursor.GetGetter<VBuffer<float>>(pixelsColumn);
        MLImage greyImage = null!;
        var values = default(VBuffer<float>);
        int rows = 0;
        while (cursor.MoveNext())
        {
            grey(ref greyImage);
            pixels(ref values);
            float[] chain = values.DenseValues().ToArray();
            // Exactly the core normaliser on what ConvertToGrayscale gave it, scaled to 0..1 …
            Assert.Equal(normalizer.Normalize(greyImage).ToFloats(1f / 255), chain);
            // … and nearly the core normaliser on the colour photo (ML.NET's grey weights differ slightly).
            byte[] viaChain = Array.ConvertAll(chain, v => (byte)Math.Round(v * 255));
            Assert.True(EmnistSamples.Correlation(direct[rows], viaChain) > 0.99, $"row {rows}");
            rows++;
        }
        Assert.Equal(photos.Count, rows);
    }

    [DataFact(SharedDataSet.Emnist)]
    public void Prediction_engine_normalises_one_image()
    {
        List<MLImage> photos = Photos(2);
        var normalizer = new InkNormalizer();
        byte[][] expected = photos.Select(p => normalizer.Normalize(p).Pixels.ToArray()).ToArray();
        IDataView data = Load(Photos(2));
        var model = Chain().Fit(data);
        using PredictionEngine<PhotoRow, PixelsRow> engine = _ml.Model.CreatePredictionEngine<PhotoRow, PixelsRow>(model);
        for (int i = 0; i < photos.Count; i++)
        {
            float[] predicted = engine.Predict(new PhotoRow { Image = photos[i] }).Pixels;
            Assert.Equal(784, predicted.Length);
            byte[] direct = expected[i];
            Assert.True(EmnistSamples.Correlation(direct, Array.ConvertAll(predicted, v => (byte)Math.Round(v * 255))) > 0.99);
        }
    }

    [Fact]
    public void Chain_from_image_files_and_errors_name_the_file()
    {
        using var dir = new TempDirectory();
        byte[] blank = TestImages.Encode(TestImages.GreyToRgba(Enumerable.Repeat((byte)250, 64 * 64).ToArray()), 64, 64, SKEncodedImageFormat.Png);
        File.WriteAllBytes(dir.File("blank.png"), blank);
        File.WriteAllBytes(dir.File("ring.png"), TestImages.Encode(TestImages.GreyToRgba(TestImages.Ring(90, 90, 45, 45, 30, 22, 20, 240)), 90, 90, SKEncodedImageFormat.Png));
        var pipeline = _ml.Transforms.LoadImages("Image", dir.Path, "Path").Append(Chain());
        IDataView ring = _ml.Data.LoadFromEnumerable(new[] { new PathRow { Path = "ring.png" } });
        float[] pixels = Assert.Single(pipeline.Fit(ring).Transform(ring).GetColumn<float[]>("Pixels"));
        Assert.Equal(1f, pixels.Max());
        Assert.Equal(0f, pixels[14 * 28 + 14]);

        IDataView both = _ml.Data.LoadFromEnumerable(new[] { new PathRow { Path = "ring.png" }, new PathRow { Path = "blank.png" } });
        IDataView transformed = pipeline.Fit(both).Transform(both);
        var e = ThrowsWithin<UnusableImageException>(() => Assert.NotEmpty(transformed.GetColumn<float[]>("Pixels").ToList()));
        Assert.Equal(Path.Combine(dir.Path, "blank.png"), e.ImageSource);
        Assert.Contains("no ink", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Transform_is_lazy()
    {
        using MLImage blank = TestImages.GreyImage(Enumerable.Repeat((byte)255, 50 * 50).ToArray(), 50, 50);
        IDataView data = Load([blank]);
        IDataView transformed = _ml.Transforms.NormalizeInk("Tile", "Image").Fit(data).Transform(data);
        // Nothing is normalised until the column is read; reading only the input column is fine.
        Assert.Single(transformed.GetColumn<MLImage>("Image"));
        ThrowsWithin<UnusableImageException>(() => Assert.NotEmpty(transformed.GetColumn<MLImage>("Tile").ToList()));
    }

    [DataFact(SharedDataSet.Emnist)]
    public void Cursor_sets_give_the_same_rows()
    {
        List<MLImage> photos = Photos(4);
        var normalizer = new InkNormalizer();
        long[] expected = photos.Select(p => normalizer.Normalize(p).Pixels.ToArray().Sum(b => (long)b)).ToArray();
        IDataView data = Load(photos);
        IDataView transformed = _ml.Transforms.NormalizeInk("Tile", "Image").Fit(data).Transform(data);
        DataViewSchema.Column tile = transformed.Schema["Tile"];
        var sums = new List<long>();
        foreach (DataViewRowCursor cursor in transformed.GetRowCursorSet([tile], 2))
        {
            using (cursor)
            {
                ValueGetter<MLImage> getter = cursor.GetGetter<MLImage>(tile);
                MLImage image = null!;
                while (cursor.MoveNext())
                {
                    getter(ref image);
                    Assert.Equal((28, 28), (image.Width, image.Height));
                    byte[] bgra = image.Pixels.ToArray();
                    sums.Add(Enumerable.Range(0, 784).Sum(p => (long)bgra[p * 4 + 2])); // the red channel: the tile's grey
                }
                image?.Dispose();
            }
        }
        Assert.Equal(expected.Order(), sums.Order());
    }

    [Fact]
    public void Input_must_be_an_image_column()
    {
        IDataView paths = _ml.Data.LoadFromEnumerable(new[] { new PathRow { Path = "x.png" } });
        var wrongType = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.NormalizeInk("Tile", "Path").Fit(paths));
        Assert.Contains("Path", wrongType.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.NormalizeInk("Tile", "Image").Fit(paths));
        Assert.Contains("Image", missing.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.NormalizeInk("Tile", "Path").GetOutputSchema(Shape(paths.Schema)));
    }

    [Fact]
    public void Schema_shape_propagates_through_a_pipeline()
    {
        using MLImage image = TestImages.GreyImage(TestImages.Ring(40, 40, 20, 20, 15, 10, 0, 255), 40, 40);
        IDataView data = Load([image]);
        SchemaShape shape = Chain().GetOutputSchema(Shape(data.Schema));
        SchemaShape.Column tile = shape.Single(c => c.Name == "Tile");
        Assert.IsType<ImageDataViewType>(tile.ItemType);
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, shape.Single(c => c.Name == "Pixels").Kind);
    }

    [Fact]
    public void Saving_in_an_mlnet_zip_is_refused_with_guidance()
    {
        using MLImage image = TestImages.GreyImage(TestImages.Ring(40, 40, 20, 20, 15, 10, 0, 255), 40, 40);
        IDataView data = Load([image]);
        InkNormalizingTransformer transformer = _ml.Transforms.NormalizeInk("Tile", "Image").Fit(data);
        Assert.True(transformer.IsRowToRowMapper);
        using var stream = new MemoryStream();
        var e = Assert.Throws<NotSupportedException>(() => _ml.Model.Save(transformer, data.Schema, stream));
        Assert.Contains("NormalizeInk", e.Message, StringComparison.Ordinal);
    }
}
