using Hcr.MLNet.Data;
using Hcr.MLNet.Imaging;
using Hcr.MLNet.Tests.TestSupport;

namespace Hcr.MLNet.Tests.Imaging;

/// <summary>
/// The normaliser's EMNIST numbers, measured again on 1000 real tiles (ByMerge test part) with the
/// normaliser's own estimators: if the defaults drift from the data, these fail.
/// </summary>
public class EmnistCalibrationTests
{
    private static readonly Lazy<Measurements> Measured = new(Measure);

    private static double Percentile(List<double> values, double p) => values.Order().ElementAt((int)Math.Round(p * (values.Count - 1)));

    [DataFact(SharedDataSet.Emnist)]
    public void Ink_extent_is_the_default_character_size_and_centred()
    {
        Measurements m = Measured.Value;
        var defaults = new InkNormalizationOptions();
        Assert.Equal(defaults.CharacterSize, Percentile(m.ExtentSide, 0.5), 0.25);
        // EMNIST centres the region its ink reaches: its centre is (14, 14) in 80% of tiles, within half a pixel.
        Assert.InRange(Percentile(m.ExtentX, 0.1), 13.5, 14.5);
        Assert.InRange(Percentile(m.ExtentX, 0.9), 13.5, 14.5);
        Assert.InRange(Percentile(m.ExtentY, 0.1), 13.5, 14.5);
        Assert.InRange(Percentile(m.ExtentY, 0.9), 13.5, 14.5);
    }

    [DataFact(SharedDataSet.Emnist)]
    public void Bounding_box_centring_fits_emnist_and_centre_of_mass_does_not()
    {
        Measurements m = Measured.Value;
        double boxSpread = Percentile(m.ExtentX, 0.9) - Percentile(m.ExtentX, 0.1);
        double massSpread = Percentile(m.MassX, 0.9) - Percentile(m.MassX, 0.1);
        Assert.True(massSpread > 4 * Math.Max(boxSpread, 0.25), $"centre of mass spreads {massSpread:F2} px, the box centre {boxSpread:F2} px");
        Assert.Equal(InkCentering.BoundingBox, new InkNormalizationOptions().Centering);
    }

    [DataFact(SharedDataSet.Emnist)]
    public void Stroke_width_range_is_the_middle_half_of_emnist()
    {
        Measurements m = Measured.Value;
        var defaults = new InkNormalizationOptions();
        Assert.Equal(defaults.MinimumStrokeWidth, Percentile(m.StrokeRatio, 0.25), 0.01);
        Assert.Equal(defaults.MaximumStrokeWidth, Percentile(m.StrokeRatio, 0.75), 0.01);
        // About one eighth of the character's size, in line with EMNIST's "about a tenth".
        Assert.InRange(Percentile(m.StrokeRatio, 0.5), 0.1, 0.15);
    }

    [DataFact(SharedDataSet.Emnist)]
    public void Every_tile_peaks_at_255()
    {
        Assert.All(Measured.Value.Peak, p => Assert.Equal(255, p));
    }

    private sealed record Measurements(List<double> ExtentSide, List<double> ExtentX, List<double> ExtentY, List<double> MassX, List<double> StrokeRatio, List<int> Peak);

    private static Measurements Measure()
    {
        EmnistDataset data = EmnistSamples.ByMerge;
        var m = new Measurements([], [], [], [], [], []);
        foreach (int i in EmnistSamples.Indices(1000, seed: 1))
        {
            ReadOnlySpan<byte> pixels = data.GetImage(i);
            GreyImage tile = GreyImage.FromBytes(pixels, 28, 28);
            (double x, double y, double side) = TileGeometry.Extent(tile)!.Value;
            m.ExtentSide.Add(side);
            m.ExtentX.Add(x);
            m.ExtentY.Add(y);
            m.MassX.Add(InkDetection.CenterOfMass(tile).X);
            // As the normaliser measures strokes: on the 4× working frame.
            m.StrokeRatio.Add(TileGeometry.StrokeRatio(CharacterFraming.Frame(tile, (14, 14), InkNormalizer.Oversampling, 28 * InkNormalizer.Oversampling)).Ratio);
            m.Peak.Add(pixels.ToArray().Max());
        }
        return m;
    }
}
