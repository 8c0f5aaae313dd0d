using Hcr.MLNet.Imaging;

namespace Hcr.MLNet.Tests.Imaging;

/// <summary>The fast filters against brute force on random images.</summary>
public class FilterTests
{
    private static GreyImage RandomImage(int width, int height, int seed)
    {
        var random = new Random(seed);
        var image = new GreyImage(width, height);
        for (int i = 0; i < image.Data.Length; i++)
            image.Data[i] = random.Next(256);
        return image;
    }

    [Fact]
    public void Median3x3_equals_sorting_each_window()
    {
        GreyImage image = RandomImage(23, 17, 1);
        GreyImage fast = Filters.Median3x3(image);
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                var window = new List<float>();
                for (int dy = -1; dy <= 1; dy++)
                {
                    for (int dx = -1; dx <= 1; dx++)
                        window.Add(image[Math.Clamp(x + dx, 0, image.Width - 1), Math.Clamp(y + dy, 0, image.Height - 1)]);
                }
                window.Sort();
                Assert.Equal(window[4], fast[x, y]);
            }
        }
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, false)]
    [InlineData(5, true)]
    [InlineData(12, false)]
    public void SquareExtremum_equals_brute_force(int radius, bool maximum)
    {
        GreyImage image = RandomImage(31, 20, radius);
        Assert.Equal(BruteSquareExtremum(image, radius, maximum).Data, Filters.SquareExtremum(image, radius, maximum).Data);
    }

    [Theory]
    [InlineData(31, 20, 3)]
    [InlineData(9, 40, 7)] // the window taller than a block's share of the image: clipping at both ends
    [InlineData(30, 6, 25)] // the window far larger than the image: every pixel sees the whole of it
    public void SquareExtremum_equals_brute_force_where_the_window_is_clipped_on_both_sides(int width, int height, int radius)
    {
        GreyImage image = RandomImage(width, height, radius + 100);
        foreach (bool maximum in new[] { false, true })
            Assert.Equal(BruteSquareExtremum(image, radius, maximum).Data, Filters.SquareExtremum(image, radius, maximum).Data);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(13)]
    public void Opening_is_a_minimum_then_a_maximum_over_the_square(int radius)
    {
        GreyImage image = RandomImage(37, 23, radius);
        GreyImage expected = BruteSquareExtremum(BruteSquareExtremum(image, radius, maximum: false), radius, maximum: true);
        Assert.Equal(expected.Data, Filters.Opening(image, radius).Data);
    }

    private static GreyImage BruteSquareExtremum(GreyImage image, int radius, bool maximum)
    {
        var result = new GreyImage(image.Width, image.Height);
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                float best = maximum ? float.MinValue : float.MaxValue;
                for (int yy = Math.Max(0, y - radius); yy <= Math.Min(image.Height - 1, y + radius); yy++)
                {
                    for (int xx = Math.Max(0, x - radius); xx <= Math.Min(image.Width - 1, x + radius); xx++)
                        best = maximum ? Math.Max(best, image[xx, yy]) : Math.Min(best, image[xx, yy]);
                }
                result[x, y] = best;
            }
        }
        return result;
    }

    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(2, 0.0)]
    [InlineData(101, 0.5)]
    [InlineData(1000, 0.9)]
    [InlineData(1000, 1.0)]
    public void Percentile_is_the_value_at_that_rank_of_the_sorted_values(int count, double p)
    {
        var random = new Random(count);
        // Few distinct values, as on paper (many pixels of one grey), and many, as in a gradient.
        foreach (int distinct in new[] { 3, 1_000_000 })
        {
            float[] values = Enumerable.Range(0, count).Select(_ => (float)random.Next(distinct)).ToArray();
            float[] sorted = values.Order().ToArray();
            Assert.Equal(sorted[(int)Math.Round(p * (count - 1))], Statistics.Percentile(values, p));
            Assert.Equal(sorted, values.Order().ToArray()); // reordered, nothing lost
        }
    }

    [Fact]
    public void BoxMean_equals_brute_force()
    {
        GreyImage image = RandomImage(15, 11, 3);
        GreyImage fast = Filters.BoxMean(image, 2);
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                // Separable with clipped windows: the mean over the clipped rows of the clipped-column means.
                double sum = 0;
                int rows = 0;
                for (int yy = Math.Max(0, y - 2); yy <= Math.Min(image.Height - 1, y + 2); yy++, rows++)
                {
                    double rowSum = 0;
                    int count = 0;
                    for (int xx = Math.Max(0, x - 2); xx <= Math.Min(image.Width - 1, x + 2); xx++, count++)
                        rowSum += image[xx, yy];
                    sum += rowSum / count;
                }
                Assert.Equal(sum / rows, fast[x, y], 3);
            }
        }
    }

    [Fact]
    public void Disc_dilation_and_erosion_change_a_bar_by_twice_the_radius()
    {
        var bar = new GreyImage(40, 40);
        for (int y = 5; y < 35; y++)
        {
            for (int x = 16; x < 24; x++)
                bar[x, y] = 1;
        }
        static int WidthAt20(GreyImage image) => Enumerable.Range(0, 40).Count(x => image[x, 20] > 0.5f);
        Assert.Equal(8, WidthAt20(bar));
        Assert.Equal(14, WidthAt20(Filters.DiscMorphology(bar, 3)));
        Assert.Equal(4, WidthAt20(Filters.DiscMorphology(bar, -2)));
    }

    [Fact]
    public void Gaussian_keeps_the_mass_and_spreads_a_point_by_sigma()
    {
        var point = new GreyImage(41, 41);
        point[20, 20] = 100;
        GreyImage blurred = Filters.Gaussian(point, 2.0);
        double mass = 0, variance = 0;
        for (int y = 0; y < 41; y++)
        {
            for (int x = 0; x < 41; x++)
            {
                mass += blurred[x, y];
                variance += blurred[x, y] * (x - 20) * (x - 20);
            }
        }
        Assert.Equal(100, mass, 2);
        Assert.Equal(4.0, variance / mass, 1);
    }

    [Fact]
    public void Shrinks_average_and_cells_interpolate()
    {
        GreyImage image = RandomImage(50, 30, 4);
        double mean = image.Data.Average();
        GreyImage fit = Filters.ShrinkToFit(image, 25);
        Assert.Equal((25, 15), (fit.Width, fit.Height));
        Assert.Equal(mean, fit.Data.Average(), 1);
        Assert.Same(image, Filters.ShrinkToFit(image, 64));

        GreyImage cells = Filters.ShrinkByCells(image, 4);
        Assert.Equal((13, 8), (cells.Width, cells.Height));
        Assert.Equal(Enumerable.Range(0, 4).SelectMany(y => Enumerable.Range(0, 4).Select(x => image[x, y])).Average(), cells[0, 0], 3);
        var flat = new GreyImage(5, 4, Enumerable.Repeat(7f, 20).ToArray());
        Assert.All(Filters.EnlargeCells(flat, 4, 20, 16).Data, v => Assert.Equal(7f, v, 4));
    }

    [Fact]
    public void Chessboard_distance_equals_the_smallest_square_reaching_the_mask()
    {
        var random = new Random(6);
        bool[] mask = Enumerable.Range(0, 19 * 13).Select(_ => random.Next(25) == 0).ToArray();
        int[] distance = InkDetection.ChessboardDistance(mask, 19, 13);
        for (int y = 0; y < 13; y++)
        {
            for (int x = 0; x < 19; x++)
            {
                int best = int.MaxValue / 2;
                for (int i = 0; i < mask.Length; i++)
                {
                    if (mask[i])
                        best = Math.Min(best, Math.Max(Math.Abs(i % 19 - x), Math.Abs(i / 19 - y)));
                }
                Assert.Equal(best, distance[y * 19 + x]);
            }
        }
    }

    [Fact]
    public void Padding_copies_the_nearest_edge_pixel_and_cropping_gives_the_image_back()
    {
        GreyImage image = RandomImage(7, 5, 11);
        const int pad = 3;
        GreyImage padded = Filters.PadWithEdges(image, pad);
        Assert.Equal((13, 11), (padded.Width, padded.Height));
        for (int y = 0; y < padded.Height; y++)
        {
            for (int x = 0; x < padded.Width; x++)
                Assert.Equal(image[Math.Clamp(x - pad, 0, 6), Math.Clamp(y - pad, 0, 4)], padded[x, y]);
        }
        Assert.Equal(image.Data, Filters.Crop(padded, pad, pad, 7, 5).Data);
        Assert.Equal(new[] { image[2, 1], image[3, 1], image[2, 2], image[3, 2] }, Filters.Crop(image, 2, 1, 2, 2).Data);
    }
}
