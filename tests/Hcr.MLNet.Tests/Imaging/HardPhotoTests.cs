using Hcr.MLNet.Imaging;
using Hcr.MLNet.Tests.TestSupport;
using Microsoft.ML.Data;
using SkiaSharp;
using Glyph = Hcr.MLNet.Tests.TestSupport.PaperPhoto.Glyph;
using Look = Hcr.MLNet.Tests.TestSupport.PaperPhoto.Look;

namespace Hcr.MLNet.Tests.Imaging;

/// <summary>
/// Photos that used to go wrong: small faint pencil characters refused as "no ink found", and a
/// hard-edged shadow across the paper taken for ink. Drawn by <see cref="PaperPhoto"/>.
/// </summary>
public class HardPhotoTests
{
    private readonly InkNormalizer _normalizer = new();
    private readonly CharacterImageLoader _loader = new();

    /// <summary>A small, faint pencil photo: about 36×27 pixels, the ink 40 to 60 grey levels darker than tinted paper, grainy, noisy, JPEG.</summary>
    private static byte[] FaintPencil(char character, Random random, double contrast, int width = 36, int height = 27)
    {
        float side = height - 6 - random.Next(0, 3);
        float left = random.Next(2, Math.Max(3, width - (int)side - 2)), top = random.Next(2, height - (int)side - 1);
        var look = new Look
        {
            Paper = ((byte)random.Next(190, 225), (byte)random.Next(185, 220), (byte)random.Next(170, 205)),
            InkContrast = contrast,
            Grain = 0.4,
            Noise = 2 + random.NextDouble() * 3,
            Gradient = random.NextDouble() * 0.15,
            Format = SKEncodedImageFormat.Jpeg,
            Quality = random.Next(75, 93),
        };
        var glyph = new Glyph(character, new SKRect(left, top, left + side * 0.8f, top + side), 1.2f + (float)random.NextDouble() * 0.8f);
        return PaperPhoto.Render(width, height, [glyph], look, random);
    }

    [Fact]
    public void Small_faint_pencil_characters_are_found()
    {
        // Measured before the change: 12 of the 40 refused as "no ink found" (all at contrast 40), and an L at 55 found as its foot alone.
        var random = new Random(5);
        List<string> refused = [], fragments = [];
        int count = 0;
        foreach (double contrast in new[] { 40.0, 55.0 })
        {
            foreach (char c in "7AHTLEX14V")
            {
                for (int k = 0; k < 2; k++)
                {
                    count++;
                    string name = $"{c} at contrast {contrast}, #{k}";
                    using MLImage image = _loader.Load(FaintPencil(c, random, contrast), name);
                    try
                    {
                        NormalizedCharacter tile = _normalizer.Normalize(image);
                        // The whole character, not a fragment: the ink box spans most of the glyph's height.
                        if (!tile.DarkInkOnLight || tile.InkBounds.Height < 15)
                            fragments.Add($"{name}: ink box {tile.InkBounds}, dark ink {tile.DarkInkOnLight}");
                    }
                    catch (UnusableImageException)
                    {
                        refused.Add(name);
                    }
                }
            }
        }
        Assert.True(refused.Count == 0 && fragments.Count == 0,
            $"{refused.Count} of {count} refused: {string.Join("; ", refused)}\n{fragments.Count} found in part: {string.Join("; ", fragments)}");
    }

    [Theory]
    [InlineData(36, 27, 4.0)]
    [InlineData(36, 27, 8.0)]
    [InlineData(200, 150, 6.0)]
    public void Blank_tinted_paper_with_grain_noise_and_jpeg_is_still_refused(int width, int height, double noise)
    {
        for (int seed = 0; seed < 6; seed++)
        {
            var look = new Look { Paper = (210, 205, 190), Noise = noise, Gradient = 0.1, Format = SKEncodedImageFormat.Jpeg, Quality = 80 };
            byte[] blank = PaperPhoto.Render(width, height, [], look, new Random(seed));
            using MLImage image = _loader.Load(blank, $"blank {seed}");
            var e = Assert.Throws<UnusableImageException>(() => _normalizer.Normalize(image));
            Assert.Contains("no ink found", e.Problem, StringComparison.Ordinal);
        }
    }

    /// <summary>A 7 on paper with a hard shadow edge crossing the page (not the character) at various angles.</summary>
    /// <remarks>
    /// Before shadows were handled every case failed (the shadowed strip, narrower than the background's window,
    /// became ink: the ink box spanned the page). The tilted edges failed until the background's opening ran on the
    /// image extended by its edge pixels: with the window clipped at the border, the shadow between a slanted edge and
    /// the border (and the narrowing wedge at a corner) was eroded away and came out as ink (a sweep of 36 angles at two
    /// distances: 10 of 72 passed before, 72 after).
    /// </remarks>
    [Theory]
    [InlineData(0.0, 0.55, 1.0)]
    [InlineData(0.0, 0.4, 0.0)]
    [InlineData(90.0, 0.5, 2.0)]
    [InlineData(180.0, 0.6, 1.0)]
    [InlineData(270.0, 0.45, 0.0)]
    [InlineData(20.0, 0.55, 1.0)]
    [InlineData(-35.0, 0.5, 0.0)]
    [InlineData(80.0, 0.45, 1.0)]
    [InlineData(135.0, 0.55, 0.0)]
    [InlineData(200.0, 0.5, 1.0)]
    public void A_hard_shadow_edge_is_not_ink(double angle, double light, double softness)
    {
        const int w = 240, h = 200;
        var glyph = new Glyph('7', new SKRect(100, 50, 160, 140), 7);
        // The edge passes 55 px from the page's centre, 15 px or more from the 7's ink; the shadow lies beyond it, away from the centre.
        double rad = angle * Math.PI / 180, nx = -Math.Sin(rad), ny = Math.Cos(rad);
        (double X, double Y) through = (w / 2.0 + 55 * nx, h / 2.0 + 55 * ny);
        var edge = ((through.X + 300 * Math.Cos(rad), through.Y + 300 * Math.Sin(rad)), (through.X - 300 * Math.Cos(rad), through.Y - 300 * Math.Sin(rad)));
        var plain = new Look { Noise = 3, Format = SKEncodedImageFormat.Jpeg, Quality = 88 };
        var shadowed = plain with { ShadowEdge = edge, ShadowLight = light, ShadowSoftness = softness };

        using MLImage a = _loader.Load(PaperPhoto.Render(w, h, [glyph], plain, new Random(1)), "plain");
        using MLImage b = _loader.Load(PaperPhoto.Render(w, h, [glyph], shadowed, new Random(1)), "shadowed");
        NormalizedCharacter clean = _normalizer.Normalize(a), shadow = _normalizer.Normalize(b);
        double correlation = EmnistSamples.Correlation(clean.Pixels, shadow.Pixels);
        Assert.True(Near(clean.InkBounds, shadow.InkBounds, 3), $"ink box {shadow.InkBounds} with the shadow, {clean.InkBounds} without; tile correlation {correlation:F3}");
        Assert.True(correlation > 0.95, $"tile correlation {correlation:F3}");
    }

    /// <summary>
    /// The same 7 with a hard shadow edge at every tenth degree, 55 and 70 px from the page's centre: all 72 must leave the
    /// character's tile as it is without the shadow (before the opening ran on the edge-extended image, 10 of 72 did).
    /// </summary>
    [SlowFact]
    public void Hard_shadow_edges_at_every_angle_are_not_ink()
    {
        const int w = 240, h = 200;
        var glyph = new Glyph('7', new SKRect(100, 50, 160, 140), 7);
        var plain = new Look { Noise = 3, Format = SKEncodedImageFormat.Jpeg, Quality = 88 };
        using MLImage a = _loader.Load(PaperPhoto.Render(w, h, [glyph], plain, new Random(1)), "plain");
        NormalizedCharacter clean = _normalizer.Normalize(a);
        var failed = new List<string>();
        foreach (int distance in new[] { 55, 70 })
        {
            for (int angle = 0; angle < 360; angle += 10)
            {
                double rad = angle * Math.PI / 180, nx = -Math.Sin(rad), ny = Math.Cos(rad);
                (double X, double Y) through = (w / 2.0 + distance * nx, h / 2.0 + distance * ny);
                var edge = ((through.X + 300 * Math.Cos(rad), through.Y + 300 * Math.Sin(rad)), (through.X - 300 * Math.Cos(rad), through.Y - 300 * Math.Sin(rad)));
                var look = plain with { ShadowEdge = edge, ShadowLight = 0.5, ShadowSoftness = angle % 20 == 0 ? 0 : 1.5 };
                using MLImage b = _loader.Load(PaperPhoto.Render(w, h, [glyph], look, new Random(angle)), "shadowed");
                try
                {
                    double correlation = EmnistSamples.Correlation(clean.Pixels, _normalizer.Normalize(b).Pixels);
                    if (correlation <= 0.95)
                        failed.Add($"{distance} px, {angle}°: tile correlation {correlation:F2}");
                }
                catch (UnusableImageException e)
                {
                    failed.Add($"{distance} px, {angle}°: {e.Message}");
                }
            }
        }
        Assert.True(failed.Count == 0, $"{failed.Count} of 72 edges changed the tile:\n{string.Join("\n", failed)}");
    }

    private static bool Near(InkBox a, InkBox b, int tolerance) =>
        Math.Abs(a.X - b.X) <= tolerance && Math.Abs(a.Y - b.Y) <= tolerance
        && Math.Abs(a.Width - b.Width) <= tolerance && Math.Abs(a.Height - b.Height) <= tolerance;
}
