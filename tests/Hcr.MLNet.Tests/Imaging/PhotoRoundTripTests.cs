using Hcr.MLNet.Data;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.Tests.TestSupport;
using Microsoft.ML.Data;
using SkiaSharp;

namespace Hcr.MLNet.Tests.Imaging;

/// <summary>
/// Real EMNIST tiles, re-drawn as photos (<see cref="PhotoRenderer"/>: large, dark tinted ink on lit,
/// tinted, noisy paper, another pen width, anywhere on the page, JPEG or PNG), loaded and normalised,
/// must come back as the tiles they were drawn from.
/// </summary>
public class PhotoRoundTripTests
{
    [DataFact(SharedDataSet.Emnist)]
    public void Photos_of_emnist_characters_normalise_back_to_their_tiles()
    {
        EmnistDataset data = EmnistSamples.ByMerge;
        var loader = new CharacterImageLoader();
        var normalizer = new InkNormalizer();
        var correlations = new List<double>();
        int n = 0;
        foreach (int i in EmnistSamples.Indices(100, seed: 3))
        {
            SKEncodedImageFormat format = n++ % 2 == 0 ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png;
            byte[] photo = PhotoRenderer.Render(data.GetImage(i), new Random(i), format);
            using MLImage image = loader.Load(photo, $"photo of image {i}");
            NormalizedCharacter result = normalizer.Normalize(image);

            Assert.True(result.DarkInkOnLight, $"image {i}: the pen is dark");
            correlations.Add(EmnistSamples.Correlation(data.GetImage(i), result.Pixels));
            (double x, double y, double side) = TileGeometry.Extent(GreyImage.FromBytes(result.Pixels, 28, 28))!.Value;
            Assert.True(Math.Abs(x - 14) <= 0.5 && Math.Abs(y - 14) <= 0.5, $"image {i}: ink centred at ({x:F2}, {y:F2})");
            Assert.Equal(24.75, side, 0.5);
        }
        correlations.Sort();
        double mean = correlations.Average(), median = correlations[50];
        // Measured: mean 0.93, median 0.95. The lowest are tiles whose strokes lie outside EMNIST's middle
        // range, which the normaliser deliberately brings into it.
        Assert.True(mean > 0.85, $"mean correlation {mean:F3}");
        Assert.True(median > 0.9, $"median correlation {median:F3}");
        Assert.True(correlations[10] > 0.75, $"10th percentile {correlations[10]:F3}");
    }
}
