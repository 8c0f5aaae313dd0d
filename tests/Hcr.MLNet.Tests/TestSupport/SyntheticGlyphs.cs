using Hcr.MLNet.Data;
using Microsoft.ML;
using Microsoft.ML.Transforms;

namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>
/// Small labelled datasets the tests draw themselves: one simple stroke pattern per class (bar,
/// column, diagonal, box, cross, dot), jittered in position and thickness, with light noise.
/// </summary>
public static class SyntheticGlyphs
{
    public const string FourClasses = "HVDO";

    public static EmnistDataset Create(int perClass, string classes = FourClasses, int seed = 7)
    {
        var random = new Random(seed);
        int count = perClass * classes.Length;
        var pixels = new byte[count * 784];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int label = i % classes.Length;
            labels[i] = label;
            Draw(pixels.AsSpan(i * 784, 784), label, random);
        }
        return EmnistDataset.Create(pixels, labels, classes.ToCharArray(), $"synthetic {classes}");
    }

    /// <summary>EMNIST data → MapValueToKey(Label) → Pixels / 255: the pipeline the trainer expects as input.</summary>
    public static IEstimator<ITransformer> Preprocessing(MLContext ml) =>
        ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.Transforms.Expression("Pixels", "x => x / 255", "Pixels"));

    private static void Draw(Span<byte> image, int label, Random random)
    {
        int dx = random.Next(-3, 4), dy = random.Next(-3, 4), t = random.Next(1, 3);
        for (int r = 0; r < 28; r++)
        {
            for (int c = 0; c < 28; c++)
            {
                int y = r - dy, x = c - dx;
                bool ink = label switch
                {
                    0 => Math.Abs(y - 14) <= t && x is >= 5 and <= 22,                       // horizontal bar
                    1 => Math.Abs(x - 14) <= t && y is >= 5 and <= 22,                       // vertical bar
                    2 => Math.Abs(x - y) <= t && x is >= 5 and <= 22,                        // diagonal
                    3 => (Math.Abs(x - 7) <= t || Math.Abs(x - 20) <= t) && y is >= 7 and <= 20
                         || (Math.Abs(y - 7) <= t || Math.Abs(y - 20) <= t) && x is >= 7 and <= 20, // box
                    4 => (Math.Abs(x - y) <= t || Math.Abs(x + y - 27) <= t) && x is >= 5 and <= 22, // cross
                    _ => (x - 14) * (x - 14) + (y - 14) * (y - 14) <= (t + 2) * (t + 2),     // dot
                };
                int noise = random.Next(0, 30);
                image[r * 28 + c] = (byte)Math.Min(255, (ink ? 225 : 0) + noise);
            }
        }
    }
}
