using Hcr.MLNet.Imaging;
using SkiaSharp;

namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>
/// Turns a real EMNIST tile into a photo-like picture of the same character: drawn large (about 190 to
/// 280 pixels) with a pen of another width, dark and tinted on light tinted paper, placed anywhere with
/// loose margins on a 300 to 380 pixel canvas, lit by a gradient, slightly out of focus, noisy, and
/// encoded as JPEG or PNG.
/// </summary>
public static class PhotoRenderer
{
    public static byte[] Render(ReadOnlySpan<byte> tile, Random random, SKEncodedImageFormat format)
    {
        var soft = GreyImage.FromBytes(tile, 28, 28).Map(v => v / 255f);
        // The pen: dilate or erode the tile's strokes at 4× (a stroke there is about 12 px wide, so
        // −1..+2 px of radius is −15%..+35% of its width), then enlarge to the drawing's size and sharpen
        // the soft profile into a pen's edge.
        GreyImage fine = CharacterFraming.Frame(soft, (14, 14), 4, 112);
        fine = Filters.DiscMorphology(fine, random.Next(-1, 3));
        double factor = 1.7 + random.NextDouble() * 0.8;
        int side = (int)(112 * factor);
        GreyImage pen = CharacterFraming.Frame(fine, (56, 56), factor, side).Map(v =>
        {
            float t = Math.Clamp((v - 0.35f) / 0.3f, 0f, 1f);
            return t * t * (3 - 2 * t);
        });
        // Out of focus (the tile's margin leaves room for the blur).
        pen = Filters.Gaussian(pen, 0.7 + random.NextDouble() * 0.6);

        int width = random.Next(Math.Max(300, side + 20), 381), height = random.Next(Math.Max(300, side + 20), 381);
        int left = random.Next(0, width - side + 1), top = random.Next(0, height - side + 1);

        double angle = random.NextDouble() * 2 * Math.PI, gradient = 0.15 + random.NextDouble() * 0.2;
        double paper = 0.85 + random.NextDouble() * 0.12, inkReflectance = 0.08 + random.NextDouble() * 0.2, noise = 3 + random.NextDouble() * 5;
        double[] paperTint = [0.92 + random.NextDouble() * 0.08, 0.95 + random.NextDouble() * 0.05, 1.0];
        double[] inkTint = [0.6 + random.NextDouble() * 0.4, 0.5 + random.NextDouble() * 0.5, 0.8 + random.NextDouble() * 0.2];
        var rgba = new byte[width * height * 4];
        double cos = Math.Cos(angle) / Math.Max(width, height), sin = Math.Sin(angle) / Math.Max(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double along = (x - width / 2.0) * cos + (y - height / 2.0) * sin;
                double light = 255 * paper * (1 + 2 * gradient * along);
                int px = x - left, py = y - top;
                double a = px >= 0 && py >= 0 && px < side && py < side ? pen[px, py] : 0;
                for (int c = 0; c < 3; c++)
                {
                    double reflectance = paperTint[c] * (1 - a) + a * inkReflectance * inkTint[c];
                    double value = light * reflectance + NormalTable[random.Next(NormalTable.Length)] * noise;
                    rgba[(y * width + x) * 4 + c] = (byte)Math.Clamp(Math.Round(value), 0, 255);
                }
                rgba[(y * width + x) * 4 + 3] = 255;
            }
        }
        return TestImages.Encode(rgba, width, height, format, quality: 85);
    }

    /// <summary>Standard normal deviates, drawn once: sensor noise needs their distribution, not fresh ones per pixel.</summary>
    private static readonly double[] NormalTable = MakeNormalTable();

    private static double[] MakeNormalTable()
    {
        var random = new Random(0);
        return Enumerable.Range(0, 4096)
            .Select(_ => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))
            .ToArray();
    }
}
