using Hcr.MLNet.Data;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.Tests.TestSupport;
using Microsoft.ML.Data;
using SkiaSharp;

namespace Hcr.MLNet.Tests.Imaging;

public class InkNormalizerTests
{
    private readonly InkNormalizer _normalizer = new();

    [Theory]
    [InlineData(255, "all white")]
    [InlineData(0, "all black")]
    [InlineData(128, "uniform grey")]
    public void Image_without_ink_is_unusable(byte level, string what)
    {
        using MLImage image = TestImages.GreyImage(Enumerable.Repeat(level, 100 * 80).ToArray(), 100, 80);
        image.Tag = what + ".png";
        var e = Assert.Throws<UnusableImageException>(() => _normalizer.Normalize(image));
        Assert.Equal(what + ".png", e.ImageSource);
        Assert.Contains("no ink found", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Blank_noisy_paper_has_no_ink()
    {
        var random = new Random(2);
        byte[] paper = Enumerable.Range(0, 200 * 150).Select(_ => (byte)(200 + random.Next(-12, 13))).ToArray();
        var e = Assert.Throws<UnusableImageException>(() => _normalizer.Normalize(paper, 200, 150, "blank.jpg"));
        Assert.Equal("blank.jpg", e.ImageSource);
    }

    [DataFact(SharedDataSet.Emnist)]
    public void Emnist_tiles_come_back_nearly_unchanged()
    {
        EmnistDataset data = EmnistSamples.ByMerge;
        var correlations = new List<double>();
        foreach (int i in EmnistSamples.Indices(120, seed: 11))
        {
            ReadOnlySpan<byte> tile = data.GetImage(i);
            NormalizedCharacter result = _normalizer.Normalize(tile, 28, 28);
            Assert.False(result.DarkInkOnLight, "an EMNIST tile is light ink on black");
            correlations.Add(EmnistSamples.Correlation(tile, result.Pixels));
        }
        correlations.Sort();
        double mean = correlations.Average(), median = correlations[60];
        // Measured: mean 0.94, median 0.955; the rest is the blur and stroke width of tiles outside EMNIST's middle range.
        Assert.True(mean > 0.9 && median > 0.93, $"mean {mean:F3}, median {median:F3}");
    }

    [DataFact(SharedDataSet.Emnist)]
    public void Dark_on_light_and_light_on_dark_give_the_same_tile()
    {
        ReadOnlySpan<byte> tile = EmnistSamples.ByMerge.GetImage(1234);
        GreyImage large = CharacterFraming.Frame(GreyImage.FromBytes(tile, 28, 28), (14, 14), 6, 168);
        byte[] light = Array.ConvertAll(large.Data, v => (byte)Math.Clamp(20 + v * 0.8f, 0, 255));
        byte[] dark = Array.ConvertAll(light, v => (byte)(255 - v));
        NormalizedCharacter fromLight = _normalizer.Normalize(light, 168, 168);
        NormalizedCharacter fromDark = _normalizer.Normalize(dark, 168, 168);
        Assert.False(fromLight.DarkInkOnLight);
        Assert.True(fromDark.DarkInkOnLight);
        Assert.True(EmnistSamples.Correlation(fromLight.Pixels, fromDark.Pixels) > 0.99);
        Assert.True(EmnistSamples.Correlation(tile, fromDark.Pixels) > 0.85);
    }

    [Fact]
    public void Transparent_png_through_the_loader_gives_the_ink()
    {
        // Black ink on a fully transparent background: decoded naively it is black on black.
        var rgba = new byte[120 * 120 * 4];
        byte[] ring = TestImages.Ring(120, 120, 60, 60, 40, 30, 255, 0);
        for (int i = 0; i < ring.Length; i++)
            rgba[i * 4 + 3] = ring[i];
        using MLImage image = new CharacterImageLoader().Load(TestImages.Encode(rgba, 120, 120, SKEncodedImageFormat.Png));
        NormalizedCharacter result = _normalizer.Normalize(image);
        Assert.True(result.DarkInkOnLight);
        Assert.Equal(0, result.Pixels[14 * 28 + 14]);   // the ring's hole
        Assert.True(result.Pixels[14 * 28 + 3] > 150, "the ring's left side is ink");
    }

    [Fact]
    public void Colour_jpeg_of_blue_ink_on_yellow_paper()
    {
        var rgba = new byte[300 * 200 * 4];
        byte[] ring = TestImages.Ring(300, 200, 150, 100, 70, 55, 1, 0);
        for (int i = 0; i < ring.Length; i++)
            (rgba[i * 4], rgba[i * 4 + 1], rgba[i * 4 + 2], rgba[i * 4 + 3]) = ring[i] == 1 ? ((byte)30, (byte)40, (byte)160, (byte)255) : ((byte)250, (byte)235, (byte)160, (byte)255);
        using MLImage image = new CharacterImageLoader().Load(TestImages.Encode(rgba, 300, 200, SKEncodedImageFormat.Jpeg));
        NormalizedCharacter result = _normalizer.Normalize(image);
        Assert.True(result.DarkInkOnLight);
        Assert.Equal(new InkBox(80, 30, 141, 141), result.InkBounds, new BoundsComparer(2));
        Assert.Equal(0, result.Pixels[14 * 28 + 14]);
        Assert.Equal(255, result.Pixels.ToArray().Max());
    }

    [Fact]
    public void A_speck_far_from_the_character_is_ignored()
    {
        byte[] clean = TestImages.Ring(200, 200, 100, 100, 50, 40, 0, 255);
        byte[] specked = (byte[])clean.Clone();
        for (int y = 10; y < 13; y++)
        {
            for (int x = 180; x < 183; x++)
                specked[y * 200 + x] = 0;
        }
        NormalizedCharacter a = _normalizer.Normalize(clean, 200, 200), b = _normalizer.Normalize(specked, 200, 200);
        Assert.Equal(a.InkBounds, b.InkBounds);
        Assert.Equal(a.Pixels.ToArray(), b.Pixels.ToArray());
    }

    [Fact]
    public void Thick_strokes_are_thinned_and_thin_ones_thickened()
    {
        // Ring outer radius 80: the ink box is 160 px, EMNIST's range 0.11..0.16 of it is 18..26 px.
        NormalizedCharacter thick = _normalizer.Normalize(TestImages.Ring(200, 200, 100, 100, 80, 35, 0, 255), 200, 200);
        NormalizedCharacter thin = _normalizer.Normalize(TestImages.Ring(200, 200, 100, 100, 80, 76, 0, 255), 200, 200);
        NormalizedCharacter middle = _normalizer.Normalize(TestImages.Ring(200, 200, 100, 100, 80, 58, 0, 255), 200, 200);
        Assert.True(thick.StrokeAdjustment < 0, $"thick: {thick.StrokeWidth:F3}, adjustment {thick.StrokeAdjustment}");
        Assert.True(thin.StrokeAdjustment > 0, $"thin: {thin.StrokeWidth:F3}, adjustment {thin.StrokeAdjustment}");
        Assert.Equal(0, middle.StrokeAdjustment);
        var off = new InkNormalizer(new InkNormalizationOptions { NormalizeStrokeWidth = false });
        Assert.Equal(0, off.Normalize(TestImages.Ring(200, 200, 100, 100, 80, 35, 0, 255), 200, 200).StrokeAdjustment);
    }

    [Fact]
    public void Character_is_centred_by_its_box_or_by_its_mass()
    {
        // An L: its box centre and its centre of mass differ (not so much that centring the mass pushes the foot out of the tile).
        var grey = Enumerable.Repeat((byte)255, 160 * 160).ToArray();
        for (int y = 20; y < 140; y++)
        {
            for (int x = 30; x < 100; x++)
            {
                if (x < 48 || y >= 122)
                    grey[y * 160 + x] = 0;
            }
        }
        GreyImage Tile(NormalizedCharacter c) => GreyImage.FromBytes(c.Pixels, 28, 28);
        (double bx, double by, _) = TileGeometry.Extent(Tile(_normalizer.Normalize(grey, 160, 160)))!.Value;
        Assert.Equal(14, bx, 0.3);
        Assert.Equal(14, by, 0.3);
        (double lx, double ly) = InkDetection.CenterOfMass(Tile(_normalizer.Normalize(grey, 160, 160)));
        Assert.True(lx < 13 && ly > 15, $"box-centred, the L's mass sits low and left: ({lx:F1}, {ly:F1})");
        var byMass = new InkNormalizer(new InkNormalizationOptions { Centering = InkCentering.CenterOfMass });
        (double mx, double my) = InkDetection.CenterOfMass(Tile(byMass.Normalize(grey, 160, 160)));
        Assert.Equal(14, mx, 0.5);
        Assert.Equal(14, my, 0.5);
    }

    [Fact]
    public void Result_saves_as_png_and_converts_to_an_image()
    {
        NormalizedCharacter result = _normalizer.Normalize(TestImages.Ring(100, 100, 50, 50, 30, 22, 0, 255), 100, 100);
        using var dir = new TempDirectory();
        string path = dir.File("seen.png");
        result.SavePng(path);
        using (SKBitmap png = SKBitmap.Decode(path))
        {
            Assert.Equal((28, 28), (png.Width, png.Height));
            for (int i = 0; i < 784; i++)
                Assert.Equal(result.Pixels[i], png.GetPixel(i % 28, i / 28).Red);
        }
        result.SavePng(path, scale: 4);
        using (SKBitmap large = SKBitmap.Decode(path))
            Assert.Equal((112, 112), (large.Width, large.Height));

        using MLImage image = result.ToMLImage();
        Assert.Equal((28, 28, MLPixelFormat.Bgra32), (image.Width, image.Height, image.PixelFormat));
        Assert.Equal(result.Pixels[5 * 28 + 14], image.Pixels[(5 * 28 + 14) * 4 + 2]);
        Assert.Equal(result.Pixels[5 * 28 + 14] / 255f, result.ToFloats(1f / 255)[5 * 28 + 14]);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InkNormalizer(new InkNormalizationOptions { CharacterSize = 40 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InkNormalizer(new InkNormalizationOptions { MinimumStrokeWidth = 0.2, MaximumStrokeWidth = 0.1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InkNormalizer(new InkNormalizationOptions { BlurSigma = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InkNormalizer(new InkNormalizationOptions { AnalysisSize = 10 }));
        _ = new InkNormalizer(new InkNormalizationOptions { AnalysisSize = InkNormalizationOptions.MaxAnalysisSize });
        Assert.Contains(InkNormalizationOptions.MaxAnalysisSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Assert.Throws<ArgumentOutOfRangeException>(() => new InkNormalizer(new InkNormalizationOptions { AnalysisSize = int.MaxValue })).Message,
            StringComparison.Ordinal);
    }

    private sealed class BoundsComparer(int tolerance) : IEqualityComparer<InkBox>
    {
        public bool Equals(InkBox a, InkBox b) =>
            Math.Abs(a.X - b.X) <= tolerance && Math.Abs(a.Y - b.Y) <= tolerance
            && Math.Abs(a.Width - b.Width) <= tolerance && Math.Abs(a.Height - b.Height) <= tolerance;

        public int GetHashCode(InkBox obj) => 0;
    }
}
