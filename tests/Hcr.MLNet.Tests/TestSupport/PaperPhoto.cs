using SkiaSharp;
using Hcr.MLNet.Imaging;

namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>
/// Photos of block characters written on paper, drawn by the tests themselves (no data needed): each
/// character a few pen strokes (polylines in a unit box), anti-aliased by SkiaSharp into an ink-coverage
/// map, then laid on tinted paper with the effects a phone photo adds: ink contrast, pencil grain, a
/// lighting gradient, a hard-edged shadow, sensor noise, JPEG or PNG.
/// </summary>
public static class PaperPhoto
{
    /// <summary>Strokes of a few block capitals and digits, as polylines in a unit box (x right, y down).</summary>
    private static readonly Dictionary<char, (float X, float Y)[][]> Strokes = new()
    {
        ['7'] = [[(0.05f, 0.05f), (0.95f, 0.05f), (0.35f, 0.98f)]],
        ['A'] = [[(0.02f, 0.98f), (0.5f, 0.02f), (0.98f, 0.98f)], [(0.25f, 0.6f), (0.75f, 0.6f)]],
        ['H'] = [[(0.1f, 0.02f), (0.1f, 0.98f)], [(0.9f, 0.02f), (0.9f, 0.98f)], [(0.1f, 0.5f), (0.9f, 0.5f)]],
        ['T'] = [[(0.02f, 0.05f), (0.98f, 0.05f)], [(0.5f, 0.05f), (0.5f, 0.98f)]],
        ['L'] = [[(0.15f, 0.02f), (0.15f, 0.95f), (0.9f, 0.95f)]],
        ['E'] = [[(0.9f, 0.05f), (0.15f, 0.05f), (0.15f, 0.95f), (0.9f, 0.95f)], [(0.15f, 0.5f), (0.7f, 0.5f)]],
        ['X'] = [[(0.05f, 0.02f), (0.95f, 0.98f)], [(0.95f, 0.02f), (0.05f, 0.98f)]],
        ['V'] = [[(0.02f, 0.02f), (0.5f, 0.98f), (0.98f, 0.02f)]],
        ['1'] = [[(0.25f, 0.25f), (0.55f, 0.02f), (0.55f, 0.98f)]],
        ['4'] = [[(0.65f, 0.98f), (0.65f, 0.02f), (0.05f, 0.7f), (0.95f, 0.7f)]],
        // A dot above a stem: two pieces that are one character.
        ['i'] = [[(0.5f, 0.35f), (0.5f, 0.98f)], [(0.5f, 0.04f), (0.5f, 0.1f)]],
    };

    /// <summary>The characters <see cref="Draw"/> knows.</summary>
    public static string Characters => string.Concat(Strokes.Keys);

    /// <summary>One character to draw: which, where (pixels) and how thick the pen.</summary>
    public readonly record struct Glyph(char Character, SKRect Box, float PenWidth);

    /// <summary>How the paper, ink and camera look.</summary>
    public sealed record Look
    {
        /// <summary>Paper colour (R, G, B) under full light.</summary>
        public (byte R, byte G, byte B) Paper { get; init; } = (235, 230, 215);

        /// <summary>How many grey levels darker than the paper the ink is.</summary>
        public double InkContrast { get; init; } = 180;

        /// <summary>Pencil grain: each inked pixel keeps a random 1 − grain..1 of its darkness (0 for a pen).</summary>
        public double Grain { get; init; }

        /// <summary>Sensor noise, standard deviation in grey levels.</summary>
        public double Noise { get; init; } = 3;

        /// <summary>Light falling off to the right by this fraction across the image.</summary>
        public double Gradient { get; init; }

        /// <summary>A hard-edged shadow: points on the straight edge, the shadowed side is to the left of a→b; null for none.</summary>
        public ((double X, double Y) A, (double X, double Y) B)? ShadowEdge { get; init; }

        /// <summary>The light left in the shadow (0..1).</summary>
        public double ShadowLight { get; init; } = 0.55;

        /// <summary>The shadow edge's penumbra, in pixels (0: a step).</summary>
        public double ShadowSoftness { get; init; } = 1;

        public SKEncodedImageFormat Format { get; init; } = SKEncodedImageFormat.Png;

        public int Quality { get; init; } = 90;
    }

    /// <summary>A printed straight line (a form's box or grid), from A to B.</summary>
    public readonly record struct Rule(SKPoint A, SKPoint B, float Width);

    /// <summary>Stroke coverage (0..1 per pixel) of <paramref name="glyphs"/> and <paramref name="rules"/> on a <paramref name="width"/>×<paramref name="height"/> page.</summary>
    public static float[] Coverage(int width, int height, IEnumerable<Glyph> glyphs, IEnumerable<Rule>? rules = null)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Black);
            foreach (Glyph glyph in glyphs)
                Draw(canvas, glyph);
            using var pen = new SKPaint { Color = SKColors.White, IsAntialias = true, Style = SKPaintStyle.Stroke };
            foreach (Rule rule in rules ?? [])
            {
                pen.StrokeWidth = rule.Width;
                canvas.DrawLine(rule.A, rule.B, pen);
            }
        }
        var coverage = new float[width * height];
        ReadOnlySpan<byte> pixels = bitmap.GetPixelSpan();
        for (int i = 0; i < coverage.Length; i++)
            coverage[i] = pixels[i * 4] / 255f;
        return coverage;
    }

    /// <summary>The box the glyph's ink covers (its strokes' extent, widened by the pen).</summary>
    public static SKRect InkBox(Glyph glyph)
    {
        var points = Strokes[glyph.Character].SelectMany(line => line).ToList();
        float half = glyph.PenWidth / 2;
        return new SKRect(glyph.Box.Left + points.Min(p => p.X) * glyph.Box.Width - half, glyph.Box.Top + points.Min(p => p.Y) * glyph.Box.Height - half,
            glyph.Box.Left + points.Max(p => p.X) * glyph.Box.Width + half, glyph.Box.Top + points.Max(p => p.Y) * glyph.Box.Height + half);
    }

    /// <summary>Draws one glyph in white onto <paramref name="canvas"/>.</summary>
    public static void Draw(SKCanvas canvas, Glyph glyph)
    {
        using var paint = new SKPaint
        {
            Color = SKColors.White,
            IsAntialias = true,
            Style = SKPaintStyle.Stroke,
            StrokeWidth = glyph.PenWidth,
            StrokeCap = SKStrokeCap.Round,
            StrokeJoin = SKStrokeJoin.Round,
        };
        foreach ((float X, float Y)[] line in Strokes[glyph.Character])
        {
            using var path = new SKPath();
            SKPoint At((float X, float Y) p) => new(glyph.Box.Left + p.X * glyph.Box.Width, glyph.Box.Top + p.Y * glyph.Box.Height);
            path.MoveTo(At(line[0]));
            for (int i = 1; i < line.Length; i++)
                path.LineTo(At(line[i]));
            canvas.DrawPath(path, paint);
        }
    }

    /// <summary>An encoded photo of <paramref name="glyphs"/> on a <paramref name="width"/>×<paramref name="height"/> page.</summary>
    public static byte[] Render(int width, int height, IEnumerable<Glyph> glyphs, Look look, Random random, IEnumerable<Rule>? rules = null)
    {
        float[] coverage = Coverage(width, height, glyphs, rules);
        var rgba = new byte[width * height * 4];
        byte[] paper = [look.Paper.R, look.Paper.G, look.Paper.B];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double light = 1 - look.Gradient * x / width;
                if (look.ShadowEdge is var ((ax, ay), (bx, by)))
                {
                    // Signed distance from the edge, positive on its left (the shadowed side).
                    double dx = bx - ax, dy = by - ay, length = Math.Sqrt(dx * dx + dy * dy);
                    double side = ((x + 0.5 - ax) * dy - (y + 0.5 - ay) * dx) / length;
                    double inShadow = look.ShadowSoftness <= 0 ? (side > 0 ? 1 : 0) : Math.Clamp(0.5 + side / look.ShadowSoftness, 0, 1);
                    light *= 1 - inShadow * (1 - look.ShadowLight);
                }
                double a = coverage[y * width + x];
                if (a > 0 && look.Grain > 0)
                    a *= 1 - look.Grain * random.NextDouble();
                for (int c = 0; c < 3; c++)
                {
                    double value = light * (paper[c] - a * look.InkContrast) + Gaussian(random) * look.Noise;
                    rgba[(y * width + x) * 4 + c] = (byte)Math.Clamp(Math.Round(value), 0, 255);
                }
                rgba[(y * width + x) * 4 + 3] = 255;
            }
        }
        return TestImages.Encode(rgba, width, height, look.Format, look.Quality);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
