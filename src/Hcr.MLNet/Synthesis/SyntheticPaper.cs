using Hcr.MLNet.Imaging;

namespace Hcr.MLNet.Synthesis;

/// <summary>The last step of every synthetic image (EMNIST composites, font words and characters): ink put on paper with a pen.</summary>
internal static class SyntheticPaper
{
    /// <summary>
    /// <paramref name="ink"/> (0 to 1, bright on zero) as a grey image with paper bright: a paper shade, a pen shade and
    /// pixel noise, each drawn from <paramref name="random"/>.
    /// </summary>
    public static GreyImage Write(float[] ink, int width, int height, Random random)
    {
        float paper = 255 - 30 * (float)random.NextDouble();
        float pen = 130 + 100 * (float)random.NextDouble();
        double noise = 6 * random.NextDouble();
        var grey = new GreyImage(width, height);
        for (int i = 0; i < ink.Length; i++)
            grey.Data[i] = Math.Clamp(paper - pen * ink[i] + (float)noise * Statistics.Gaussian(random), 0f, 255f);
        return grey;
    }
}
