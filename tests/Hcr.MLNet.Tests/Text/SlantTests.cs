using Hcr.MLNet.Imaging;
using Hcr.MLNet.Text;

namespace Hcr.MLNet.Tests.Text;

public class SlantTests
{
    private const int Width = 200, Height = 60;

    /// <summary>Five strokes 3 pixels wide from row 10 to row 50, leaning so that x moves by <paramref name="lean"/> per row upwards.</summary>
    private static bool[] Strokes(double lean)
    {
        var mask = new bool[Width * Height];
        for (int stroke = 0; stroke < 5; stroke++)
        {
            for (int y = 10; y < 50; y++)
            {
                int x0 = 40 + stroke * 30 + (int)Math.Round(lean * (30 - y));
                for (int x = x0; x < x0 + 3; x++)
                    mask[y * Width + x] = true;
            }
        }
        return mask;
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.4)]
    [InlineData(-0.3)]
    [InlineData(0.65)]
    public void Finds_the_shear_that_sets_leaning_strokes_upright(double lean)
    {
        double shear = Slant.Estimate(Strokes(lean), Width, Height, centreY: 30);
        Assert.InRange(shear, lean - 0.051, lean + 0.051);
    }

    [Fact]
    public void Shearing_by_the_estimate_makes_each_stroke_one_column_band()
    {
        bool[] mask = Strokes(0.5);
        var image = new GreyImage(Width, Height, mask.Select(m => m ? 255f : 0f).ToArray());
        double shear = Slant.Estimate(mask, Width, Height, 30);
        (double left, double right) = Slant.ShearedExtent(mask, Width, Height, shear, 30);
        GreyImage upright = Slant.Shear(image, (int)Math.Floor(left), (int)Math.Ceiling(right - left), 0, Height, shear, 30);
        // Upright, each 3-pixel stroke covers at most 5 columns (its width and the interpolated edges); leaning by 0.5
        // over 40 rows, it covered 23.
        int inkedColumns = Enumerable.Range(0, upright.Width).Count(x => Enumerable.Range(0, Height).Any(y => upright[x, y] > 127));
        Assert.InRange(inkedColumns, 15, 25);
    }

    [Fact]
    public void An_empty_mask_has_no_slant()
    {
        Assert.Equal(0, Slant.Estimate(new bool[Width * Height], Width, Height, 30));
    }
}
