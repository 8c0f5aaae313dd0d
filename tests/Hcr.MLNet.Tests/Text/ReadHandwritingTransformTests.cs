using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Tests.Text;

/// <summary>mlContext.Transforms.ReadHandwriting in a pipeline: LoadImages → ReadHandwriting gives what the reader reads.</summary>
public class ReadHandwritingTransformTests(GlyphReaderFixture fixture) : IClassFixture<GlyphReaderFixture>
{
    private sealed class Input
    {
        public string Path { get; set; } = "";
    }

    private sealed class Output
    {
        public string Path { get; set; } = "";

        public string Text { get; set; } = "";

        public float Confidence { get; set; }
    }

    [Fact]
    public void APipelineReadsWhatTheReaderReadsThroughTorchSharpAndOnnx()
    {
        string onnxPath = fixture.Directory.File("pipeline.onnx");
        fixture.Reader.ExportOnnx(onnxPath);
        using HandwritingTextReader onnx = HandwritingTextReader.LoadOnnx(onnxPath);
        // The blank page reads as nothing rather than failing the cursor.
        string[] paths = [.. fixture.Images.Images.Take(8).Select(i => i.Path), fixture.BlankImage];
        foreach (HandwritingTextReader reader in new[] { fixture.Reader, onnx })
        {
            var ml = new MLContext(seed: 1);
            IDataView data = ml.Data.LoadFromEnumerable(paths.Select(p => new Input { Path = p }));
            var pipeline = ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "Path")
                .Append(ml.Transforms.ReadHandwriting(reader, outputColumnName: "Text", inputColumnName: "Image", confidenceColumnName: "Confidence"));
            SchemaShape shape = pipeline.GetOutputSchema(Shape(data.Schema));
            Assert.IsType<TextDataViewType>(shape.Single(c => c.Name == "Text").ItemType);
            Assert.Equal(NumberDataViewType.Single, shape.Single(c => c.Name == "Confidence").ItemType);

            IDataView read = pipeline.Fit(data).Transform(data);
            Assert.Equal(read.Schema["Text"].Type, TextDataViewType.Instance);
            Output[] rows = [.. ml.Data.CreateEnumerable<Output>(read, reuseRowObject: false)];
            Assert.Equal(paths, rows.Select(r => r.Path));
            foreach (Output row in rows.SkipLast(1))
            {
                TextReading expected = reader.Read(row.Path);
                Assert.Equal(expected.Text, row.Text);
                Assert.Equal(expected.Confidence, row.Confidence, 1e-6);
            }
            Assert.Equal("", rows[^1].Text);
            Assert.Equal(0f, rows[^1].Confidence);
            // Some glyph words are read as something: the comparison above is not one of empty strings.
            Assert.Contains(rows, r => r.Text.Length > 0);
        }
    }

    /// <summary>SchemaShape.Create is internal to ML.NET; estimators' GetOutputSchema is tested through it all the same.</summary>
    private static SchemaShape Shape(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static, [typeof(DataViewSchema)])!
            .Invoke(null, [schema])!;

    [Fact]
    public void TheImageColumnMustExistAndHoldImages()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new Input { Path = fixture.Images.Images[0].Path } });
        TextReadingEstimator missing = ml.Transforms.ReadHandwriting(fixture.Reader);
        Assert.Contains("'Image'", Assert.Throws<ArgumentOutOfRangeException>(() => missing.Fit(data)).Message, StringComparison.Ordinal);
        TextReadingEstimator notImages = ml.Transforms.ReadHandwriting(fixture.Reader, inputColumnName: "Path");
        Assert.Throws<ArgumentOutOfRangeException>(() => notImages.Fit(data));
        Assert.Throws<ArgumentOutOfRangeException>(() => notImages.GetOutputSchema(Shape(data.Schema)));
        Assert.Throws<ArgumentException>(() => ml.Transforms.ReadHandwriting(fixture.Reader, "Text", confidenceColumnName: "Text"));
    }
}
