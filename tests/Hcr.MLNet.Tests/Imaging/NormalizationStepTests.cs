using Hcr.MLNet.Imaging;
using Hcr.MLNet.Tests.TestSupport;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Tests.Imaging;

/// <summary>One test (or a few) per step of <see cref="InkNormalizer"/>, each on inputs made to show it.</summary>
public class NormalizationStepTests
{
    private static GreyImage Grey(byte[] pixels, int width, int height) => GreyImage.FromBytes(pixels, width, height);

    // Step 1: grey.

    [Fact]
    public void Grey_is_luma_with_transparency_over_white()
    {
        // Bgra32, premultiplied as Skia keeps it: red, green, blue, half-transparent black, fully transparent.
        byte[] bgra = [0, 0, 255, 255, 0, 255, 0, 255, 255, 0, 0, 255, 0, 0, 0, 128, 0, 0, 0, 0];
        GreyImage grey = GreyConversion.ToGrey(bgra, 5, 1, MLPixelFormat.Bgra32);
        Assert.Equal(0.299f * 255, grey[0, 0], 2);
        Assert.Equal(0.587f * 255, grey[1, 0], 2);
        Assert.Equal(0.114f * 255, grey[2, 0], 2);
        Assert.Equal(127f, grey[3, 0], 2);
        Assert.Equal(255f, grey[4, 0], 2);

        byte[] rgba = [255, 0, 0, 255];
        Assert.Equal(0.299f * 255, GreyConversion.ToGrey(rgba, 1, 1, MLPixelFormat.Rgba32)[0, 0], 2);
    }

    // Step 2: polarity.

    [Fact]
    public void Polarity_is_read_from_the_border_both_ways()
    {
        byte[] darkInk = TestImages.Ring(60, 60, 30, 30, 20, 14, 30, 220);
        byte[] lightInk = TestImages.Ring(60, 60, 30, 30, 20, 14, 220, 30);
        Assert.True(PolarityDetector.IsDarkOnLight(Grey(darkInk, 60, 60)));
        Assert.False(PolarityDetector.IsDarkOnLight(Grey(lightInk, 60, 60)));

        GreyImage positive = PolarityDetector.ToInkPositive(Grey(darkInk, 60, 60), InkPolarity.Auto);
        Assert.Equal(255 - 30, positive[30, 13]);  // on the ring
        Assert.Equal(255 - 220, positive[2, 2]);   // paper
        // Forcing wins over the image.
        Assert.Equal(30, PolarityDetector.ToInkPositive(Grey(darkInk, 60, 60), InkPolarity.LightOnDark)[30, 13]);
    }

    [Fact]
    public void Polarity_holds_under_a_strong_lighting_gradient()
    {
        var grey = new byte[80 * 60];
        byte[] ring = TestImages.Ring(80, 60, 40, 30, 22, 16, 1, 0);
        for (int y = 0; y < 60; y++)
        {
            for (int x = 0; x < 80; x++)
            {
                int paper = 120 + x * 130 / 80; // 120 (dim) to 250 (bright)
                grey[y * 80 + x] = (byte)(ring[y * 80 + x] == 1 ? paper / 5 : paper);
            }
        }
        Assert.True(PolarityDetector.IsDarkOnLight(Grey(grey, 80, 60)));
    }

    // Step 3: lighting and noise.

    [Fact]
    public void Background_subtraction_flattens_a_lighting_ramp_and_keeps_the_strokes()
    {
        const int w = 120, h = 90;
        byte[] ring = TestImages.Ring(w, h, 60, 45, 30, 24, 1, 0);
        var image = new GreyImage(w, h);
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
                image[x, y] = 20 + x * 0.8f + y * 0.3f + (ring[y * w + x] == 1 ? 120 : 0); // ink-positive, lit unevenly
        }
        int window = BackgroundCorrection.Window(image, 0.25, strokeWidth: 6);
        Assert.Equal(30, window);
        GreyImage corrected = BackgroundCorrection.Subtract(image, BackgroundCorrection.EstimateBackground(image, window));
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                if (ring[y * w + x] == 1)
                    Assert.InRange(corrected[x, y], 100f, 135f);
                else
                    Assert.InRange(corrected[x, y], 0f, 20f); // the window is clipped at the borders, so a little ramp is left there
            }
        }
    }

    [Fact]
    public void Background_window_covers_three_strokes_and_at_most_half_the_image()
    {
        var image = new GreyImage(200, 100);
        Assert.Equal(50, BackgroundCorrection.Window(image, 0.25, 4));
        Assert.Equal(90, BackgroundCorrection.Window(image, 0.25, 30));
        Assert.Equal(100, BackgroundCorrection.Window(image, 0.25, 80));
    }

    [Fact]
    public void Median_removes_salt_and_pepper_but_keeps_a_wide_stroke()
    {
        var image = new GreyImage(30, 30);
        for (int y = 0; y < 30; y++)
        {
            for (int x = 10; x < 16; x++)
                image[x, y] = 200;
        }
        image[3, 3] = 255;   // salt on the background
        image[12, 20] = 0;   // pepper in the stroke
        GreyImage clean = Filters.Median3x3(image);
        Assert.Equal(0f, clean[3, 3]);
        Assert.Equal(200f, clean[12, 20]);
        Assert.Equal(6, Enumerable.Range(0, 30).Count(x => clean[x, 5] > 100));
    }

    // Step 4: the ink mask.

    [Fact]
    public void Otsu_threshold_separates_ink_from_paper()
    {
        GreyImage image = Grey(TestImages.Disc(50, 50, 25, 25, 10, 200, 20), 50, 50);
        bool[] mask = InkDetection.Threshold(image, out float threshold);
        Assert.InRange(threshold, 21f, 200f);
        Assert.Equal(image.Data.Count(v => v == 200), mask.Count(m => m));
        Assert.True(InkDetection.HasInk(image, mask, 24));
    }

    [Fact]
    public void Uniform_faint_or_noise_only_images_have_no_ink()
    {
        var random = new Random(5);
        GreyImage noise = new GreyImage(60, 60).Map(_ => 40 + random.Next(20));
        GreyImage uniform = new GreyImage(60, 60).Map(_ => 90);
        GreyImage faint = Grey(TestImages.Disc(60, 60, 30, 30, 10, 30, 20), 60, 60);
        foreach (GreyImage image in new[] { noise, uniform, faint })
            Assert.False(InkDetection.HasInk(image, InkDetection.Threshold(image, out _), 24));
    }

    [Fact]
    public void Specks_are_dropped_but_the_dot_of_an_i_stays()
    {
        const int w = 60, h = 80;
        var mask = new bool[w * h];
        void Fill(int x0, int y0, int x1, int y1)
        {
            for (int y = y0; y < y1; y++)
            {
                for (int x = x0; x < x1; x++)
                    mask[y * w + x] = true;
            }
        }
        Fill(25, 30, 33, 75); // the stem: 8×45 = 360 px
        Fill(25, 15, 33, 23); // the dot: 64 px, 18% of the stem
        Fill(2, 2, 4, 4);     // a speck: 4 px, 1% of the stem
        bool[] kept = InkDetection.RemoveSpecks(mask, w, h, 0.02);
        Assert.False(kept[2 * w + 2]);
        Assert.True(kept[15 * w + 25]);
        Assert.Equal(InkBox.FromEdges(25, 15, 33, 75), InkDetection.Bounds(kept, w, h));
        Assert.Null(InkDetection.Bounds(new bool[w * h], w, h));
    }

    [Fact]
    public void Ink_levels_map_the_noise_floor_to_0_and_typical_ink_to_1()
    {
        var random = new Random(9);
        byte[] disc = TestImages.Disc(80, 80, 40, 40, 12, 1, 0);
        var image = new GreyImage(80, 80);
        for (int i = 0; i < image.Data.Length; i++)
            image.Data[i] = disc[i] == 1 ? 150 + random.Next(10) : random.Next(12);
        bool[] kept = InkDetection.Threshold(image, out _);
        GreyImage levels = InkDetection.InkLevels(image, kept, reach: 2);
        Assert.Equal(0f, levels[3, 3]);          // background noise
        Assert.Equal(0f, levels[70, 70]);
        Assert.InRange(levels[40, 40], 0.9f, 1f); // ink
        Assert.InRange(levels.Data.Count(v => v >= 0.95f), 200, 460);
    }

    // Step 5: geometry.

    [Fact]
    public void Framing_scales_and_centres_the_chosen_point()
    {
        // A disc of radius 10 centred at (30, 20) in a 100×50 image, framed at 2× around its centre.
        GreyImage image = Grey(TestImages.Disc(100, 50, 30, 20, 10, 255, 0), 100, 50).Map(v => v / 255f);
        GreyImage frame = CharacterFraming.Frame(image, (30, 20), 2.0, 60);
        (double x, double y) = InkDetection.CenterOfMass(frame);
        Assert.Equal(30, x, 1);
        Assert.Equal(30, y, 1);
        Assert.Equal(Math.PI * 20 * 20, frame.Data.Sum(), 0.02 * Math.PI * 400); // area scales by 2²
    }

    [Fact]
    public void Framing_weights_sum_to_one_inside_the_image()
    {
        foreach (double scale in new[] { 0.1, 0.37, 1.0, 3.3 })
        {
            var weights = CharacterFraming.Weights(20, scale, center: 50, origin: 10, sourceSize: 100);
            double support = Math.Max(1, 1 / scale);
            for (int i = 0; i < 20; i++)
            {
                double u = 50 + (i + 0.5 - 10) / scale;
                (int first, float[] w, int taps) = weights[i];
                if (u - support > 1 && u + support < 99)
                    Assert.Equal(1f, w[..taps].Sum(), 3);
                else if (u + support < 0 || u - support > 100)
                    Assert.Equal(0, taps);
            }
        }
    }

    [Fact]
    public void Shrink_averages_blocks()
    {
        var image = new GreyImage(8, 8);
        image[0, 0] = 16;
        image[7, 7] = 4;
        GreyImage small = CharacterFraming.Shrink(image, 4);
        Assert.Equal((2, 2), (small.Width, small.Height));
        Assert.Equal(1f, small[0, 0]);
        Assert.Equal(0.25f, small[1, 1]);
    }

    [Fact]
    public void Extent_of_a_tile_is_its_ink_box_centre_and_long_side()
    {
        var tile = new GreyImage(28, 28);
        for (int y = 4; y < 24; y++)
        {
            for (int x = 8; x < 18; x++)
                tile[x, y] = 200;
        }
        (double cx, double cy, double side) = TileGeometry.Extent(tile)!.Value;
        Assert.Equal(13, cx, 0.3);
        Assert.Equal(14, cy, 0.3);
        Assert.InRange(side, 20, 21);
        Assert.Null(TileGeometry.Extent(new GreyImage(28, 28)));
    }

    // Step 6: stroke width.

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(14)]
    public void Stroke_width_of_a_ring_is_measured(int width)
    {
        byte[] ring = TestImages.Ring(160, 160, 80, 80, 70, 70 - width, 1, 0);
        double estimate = StrokeWidth.Estimate(Array.ConvertAll(ring, v => v == 1), 160, 160);
        Assert.Equal(width, estimate, 0.1 * width);
    }

    [Fact]
    public void Adjustment_moves_a_width_to_the_nearest_end_of_the_range()
    {
        Assert.Equal(0, StrokeWidth.AdjustmentRadius(0.13, 100, 0.11, 0.16));
        Assert.Equal(3, StrokeWidth.AdjustmentRadius(0.05, 100, 0.11, 0.16));  // 5 px → 11 px: +3 on each side
        Assert.Equal(-7, StrokeWidth.AdjustmentRadius(0.30, 100, 0.11, 0.16)); // 30 px → 16 px: −7 on each side
        Assert.Equal(-10, StrokeWidth.AdjustmentRadius(0.30, 100, 0.01, 0.02)); // 30 px → 2 px stops at 10 px: a third of the stroke is left
        Assert.Equal(0, StrokeWidth.AdjustmentRadius(0, 100, 0.11, 0.16));
    }

    [Fact]
    public void Stroke_ratio_is_width_over_the_long_side()
    {
        byte[] ring = TestImages.Ring(112, 112, 56, 56, 45, 35, 255, 0);
        GreyImage image = Grey(ring, 112, 112);
        (double ratio, int longSide) = TileGeometry.StrokeRatio(image);
        Assert.Equal(90, longSide);
        Assert.Equal(10.0 / 90, ratio, 0.012);
    }

    // Step 7: intensities.

    [Fact]
    public void Output_peak_is_255()
    {
        var tile = new GreyImage(28, 28);
        tile[3, 3] = 0.4f;
        tile[4, 4] = 0.2f;
        byte[] bytes = InkNormalizer.ToBytes(tile);
        Assert.Equal(255, bytes[3 * 28 + 3]);
        Assert.Equal(128, bytes[4 * 28 + 4]);
        Assert.Equal(0, bytes[0]);
    }
}
