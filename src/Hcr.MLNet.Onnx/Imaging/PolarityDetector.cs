namespace Hcr.MLNet.Imaging;

/// <summary>
/// Step 2: which is ink and which is paper. A character photo or scan shows mostly paper, and above
/// all at its edges, so the median of a thin frame along the border is the paper's level; the ink is
/// whichever extreme of the image's range lies farther from it. This needs no assumption that ink is dark.
/// </summary>
internal static class PolarityDetector
{
    /// <summary>True when the ink is darker than the background.</summary>
    public static bool IsDarkOnLight(GreyImage image)
    {
        float border = Statistics.Median(BorderPixels(image));
        int[] histogram = Statistics.Histogram(image.Data);
        float low = Statistics.HistogramPercentile(histogram, 0.01), high = Statistics.HistogramPercentile(histogram, 0.99);
        // Paper nearer the bright end means dark ink; a uniform image (no ink either way) reads as light-on-dark.
        return border - low > high - border;
    }

    /// <summary>Ink bright (high values) on a dark background, as EMNIST has it.</summary>
    public static GreyImage ToInkPositive(GreyImage image, InkPolarity polarity)
    {
        bool dark = polarity switch
        {
            InkPolarity.DarkOnLight => true,
            InkPolarity.LightOnDark => false,
            _ => IsDarkOnLight(image),
        };
        return dark ? image.Map(v => 255f - v) : image.Clone();
    }

    internal static float[] BorderPixels(GreyImage image)
    {
        // A frame 1/20 of the shorter side thick, at least one pixel.
        int t = Math.Max(1, Math.Min(image.Width, image.Height) / 20);
        var values = new List<float>();
        for (int y = 0; y < image.Height; y++)
        {
            bool rowInFrame = y < t || y >= image.Height - t;
            for (int x = 0; x < image.Width; x++)
            {
                if (rowInFrame || x < t || x >= image.Width - t)
                    values.Add(image[x, y]);
            }
        }
        return values.ToArray();
    }
}
