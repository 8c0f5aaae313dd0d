using Microsoft.ML.Data;

namespace Hcr.MLNet.Imaging;

/// <summary>
/// Turns an image of one handwritten character (a photo or scan, any size, colour or grey, dark ink
/// on light paper or the reverse) into what an EMNIST tile looks like, following EMNIST's own
/// conversion of the NIST forms: ink bright on black, cropped to the ink, scaled with its aspect ratio
/// kept into a square, centred, blurred and shrunk to 28×28, intensities reaching 255. On the way it
/// also corrects uneven lighting, removes noise and specks, and brings the stroke width into EMNIST's
/// range. Images without ink raise <see cref="UnusableImageException"/>. Instances are immutable and thread-safe.
/// </summary>
/// <remarks>
/// The steps, each a separate internal function: grey (luma, transparency over white) → shrink to
/// <see cref="InkNormalizationOptions.AnalysisSize"/> → polarity
/// (border = background) → 3×3 median and background subtraction (opening) → Otsu ink mask, specks
/// dropped, no-ink check → ink levels (noise floor 0, typical ink 1) → crop, scale and centre in a
/// frame four times the tile's size → stroke-width normalisation (disc dilation or erosion) → Gaussian
/// blur → 4×4 averaging to 28×28 → peak scaled to 255.
/// </remarks>
public sealed class InkNormalizer
{
    /// <summary>Working-frame pixels per tile pixel: strokes are measured and reshaped at four times the tile's resolution.</summary>
    internal const int Oversampling = 4;

    /// <summary>Creates a normaliser; <paramref name="options"/> null for the defaults.</summary>
    public InkNormalizer(InkNormalizationOptions? options = null)
    {
        Options = options ?? new InkNormalizationOptions();
        Options.Validate();
        double window = Options.BackgroundWindow;
        _cleanup = new InkCleanup(StrokesWithoutShadows: true, Options.Denoise,
            Options.CorrectLighting ? (image, stroke) => BackgroundCorrection.Window(image, window, stroke) : null);
    }

    /// <summary>The clean-up the options ask for, built once: every character of a batch goes through it.</summary>
    private readonly InkCleanup _cleanup;

    /// <summary>The options in force.</summary>
    public InkNormalizationOptions Options { get; }

    /// <summary>
    /// Normalises <paramref name="image"/> (Bgra32 or Rgba32). <paramref name="sourceName"/> names it in
    /// errors; by default the image's <see cref="MLImage.Tag"/> (ML.NET's LoadImages puts the path there) or "image".
    /// </summary>
    public NormalizedCharacter Normalize(MLImage image, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Normalize(GreyConversion.ToGrey(image), sourceName ?? image.Tag ?? "image");
    }

    /// <summary>Normalises a grey image given as bytes (row-major, <paramref name="width"/>×<paramref name="height"/>, 0 = black).</summary>
    public NormalizedCharacter Normalize(ReadOnlySpan<byte> grey, int width, int height, string sourceName = "image")
    {
        if (grey.Length != width * height)
            throw new ArgumentException($"A {width}x{height} image has {width * height} pixels, not {grey.Length}.", nameof(grey));
        return Normalize(GreyImage.FromBytes(grey, width, height), sourceName);
    }

    internal NormalizedCharacter Normalize(GreyImage original, string source)
    {
        GreyImage grey = Filters.ShrinkToFit(original, Options.AnalysisSize);
        bool dark = Options.Polarity switch
        {
            InkPolarity.DarkOnLight => true,
            InkPolarity.LightOnDark => false,
            _ => PolarityDetector.IsDarkOnLight(grey),
        };
        GreyImage ink = PolarityDetector.ToInkPositive(grey, dark ? InkPolarity.DarkOnLight : InkPolarity.LightOnDark);

        // The clean-up (a first, rough look at the strokes decides how hard it may be), then the shadows.
        (ink, bool[] mask, float threshold, double roughWidth) = _cleanup.Clean(ink);
        bool[] unshadowed = InkDetection.RemoveShadows(mask, ink.Width, ink.Height);
        if (!unshadowed.AsSpan().SequenceEqual(mask))
        {
            // Paper in a shadow narrower than the background's window is paper: it is set to the
            // background's level together with its fainter fringe (the part of a shadow's wedge the
            // opening half kept), which would otherwise stay behind as a band along the shadow's edge.
            bool[] shadow = Array.ConvertAll(Enumerable.Range(0, mask.Length).ToArray(), i => mask[i] && !unshadowed[i]);
            bool[] fringe = InkDetection.Grow(ink, shadow, InkDetection.GrowthThreshold(ink, mask, threshold) / 2);
            ink = ink.Clone();
            for (int i = 0; i < mask.Length; i++)
            {
                if (fringe[i])
                {
                    ink.Data[i] = 0;
                    mask[i] = false;
                }
            }
        }
        if (!InkDetection.HasInk(ink, mask, Options.MinimumContrast))
            throw UnusableImageException.NoInk(source);
        mask = InkDetection.Grow(ink, mask, InkDetection.GrowthThreshold(ink, mask, threshold));
        bool[] kept = InkDetection.RemoveSpecks(mask, ink.Width, ink.Height, Options.SpeckFraction);
        InkBox box = InkDetection.Bounds(kept, ink.Width, ink.Height)!.Value;
        int reach = Math.Max(2, (int)Math.Round(roughWidth / 2));
        GreyImage levels = InkDetection.InkLevels(ink, kept, reach);

        // Frame, reshape and shrink once at a first guess of the scale (the half-intensity box is about
        // nine tenths of the ink's extent), then measure the ink's extent (and centre) in the tile as
        // EMNIST frames it and correct scale and centre: the extent's long side depends on the edges'
        // softness and the stroke reshaping, not only on the box, so a correction or two are needed.
        (double X, double Y) center = Options.Centering == InkCentering.CenterOfMass
            ? InkDetection.CenterOfMass(levels)
            : (box.CenterX, box.CenterY);
        double scale = 0.9 * Options.CharacterSize * Oversampling / box.LongSide;
        Rendering rendering = Render(levels, center, scale);
        for (int pass = 0; pass < MaxFramingCorrections; pass++)
        {
            if (TileGeometry.Extent(rendering.Tile) is not var (extentX, extentY, extent))
                break;
            (double x, double y) = Options.Centering == InkCentering.CenterOfMass
                ? InkDetection.CenterOfMass(rendering.Tile)
                : (extentX, extentY);
            bool sized = Math.Abs(extent - Options.CharacterSize) < 0.25;
            bool centred = Math.Max(Math.Abs(x - TileGeometry.Center), Math.Abs(y - TileGeometry.Center)) < 0.25;
            if (sized && centred)
                break;
            // Tile pixels per source pixel are scale / Oversampling.
            center = (center.X + (x - TileGeometry.Center) * Oversampling / scale, center.Y + (y - TileGeometry.Center) * Oversampling / scale);
            scale *= Options.CharacterSize / extent;
            rendering = Render(levels, center, scale);
        }
        // The ink box in the caller's pixels.
        double sx = (double)original.Width / grey.Width, sy = (double)original.Height / grey.Height;
        var inputBox = InkBox.FromEdges((int)Math.Floor(box.Left * sx), (int)Math.Floor(box.Top * sy),
            Math.Min(original.Width, (int)Math.Ceiling(box.Right * sx)), Math.Min(original.Height, (int)Math.Ceiling(box.Bottom * sy)));
        return new NormalizedCharacter(ToBytes(rendering.Tile), dark, inputBox, rendering.StrokeRatio, rendering.Adjustment,
            InkGroups.CountCharacters(kept, ink.Width, ink.Height));
    }

    private const int MaxFramingCorrections = 2;

    private readonly record struct Rendering(GreyImage Tile, double StrokeRatio, int Adjustment);

    /// <summary>Steps 5 and 6: frame at <paramref name="scale"/> working pixels per source pixel, reshape the strokes, blur, shrink.</summary>
    private Rendering Render(GreyImage levels, (double X, double Y) center, double scale)
    {
        GreyImage frame = CharacterFraming.Frame(levels, center, scale, NormalizedCharacter.Size * Oversampling);
        (double ratio, int longSide) = TileGeometry.StrokeRatio(frame);
        int adjustment = 0;
        if (Options.NormalizeStrokeWidth)
        {
            adjustment = StrokeWidth.AdjustmentRadius(ratio, longSide, Options.MinimumStrokeWidth, Options.MaximumStrokeWidth);
            frame = Filters.DiscMorphology(frame, adjustment);
        }
        frame = Filters.Gaussian(frame, Options.BlurSigma * Oversampling);
        return new Rendering(CharacterFraming.Shrink(frame, Oversampling), ratio, adjustment);
    }

    /// <summary>Step 7: intensities scaled so that the brightest ink is 255, as in EMNIST.</summary>
    internal static byte[] ToBytes(GreyImage tile)
    {
        float peak = tile.Data.Max();
        var bytes = new byte[tile.Data.Length];
        if (peak <= 0)
            return bytes;
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = (byte)Math.Clamp(MathF.Round(tile.Data[i] / peak * 255f), 0f, 255f);
        return bytes;
    }
}
