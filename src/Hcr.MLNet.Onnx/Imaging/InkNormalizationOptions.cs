using Hcr.MLNet.DataViews;

namespace Hcr.MLNet.Imaging;

/// <summary>
/// Options of <see cref="InkNormalizer"/>. The defaults reproduce EMNIST's tiles; the numbers marked
/// "measured" were measured on real EMNIST tiles (ByMerge test part) with the normaliser's own estimators,
/// and a test keeps them in line with the data.
/// </summary>
public sealed class InkNormalizationOptions
{
    /// <summary>Which way round ink and paper are; <see cref="InkPolarity.Auto"/> (the default) decides from the image's border.</summary>
    public InkPolarity Polarity { get; init; } = InkPolarity.Auto;

    /// <summary>
    /// Images whose long side exceeds this many pixels (default 256) are area-averaged down to it before
    /// the analysis. A character filling a quarter of the picture still spans 64 pixels, more than twice
    /// the tile's resolution, and the steps run in a few milliseconds. 64 to <see cref="MaxAnalysisSize"/>.
    /// </summary>
    public int AnalysisSize { get; init; } = 256;

    /// <summary>
    /// The largest <see cref="AnalysisSize"/>: the analysis's work grows with its square, and a model file carries these
    /// options, so the bound keeps a hostile file (or a client's options) from making every prediction take seconds.
    /// </summary>
    public const int MaxAnalysisSize = 2048;

    /// <summary>Subtract a large-scale background estimate, evening out shading and lighting gradients (default true).</summary>
    public bool CorrectLighting { get; init; } = true;

    /// <summary>
    /// The background estimate's window as a fraction of the image's long side (default 0.25): larger
    /// than any stroke, smaller than the scale over which lighting changes. It is widened to three stroke widths when needed.
    /// </summary>
    public double BackgroundWindow { get; init; } = InkCleanup.DefaultBackgroundWindow;

    /// <summary>
    /// A 3×3 median against noise and one-pixel specks (default true). It is applied only where strokes
    /// are at least 4 pixels wide, since it would erode thinner ones (a 28×28 tile, say).
    /// </summary>
    public bool Denoise { get; init; } = true;

    /// <summary>Ink pieces smaller than this fraction of the largest piece are specks and are ignored (default 0.02).</summary>
    public double SpeckFraction { get; init; } = InkCleanup.DefaultSpeckFraction;

    /// <summary>The least difference, in grey levels (0..255), between ink and background for the image to count as holding ink (default 24).</summary>
    public float MinimumContrast { get; init; } = InkCleanup.DefaultMinimumContrast;

    /// <summary>Which point goes to the tile's centre; default <see cref="InkCentering.BoundingBox"/>, as EMNIST does.</summary>
    public InkCentering Centering { get; init; } = InkCentering.BoundingBox;

    /// <summary>
    /// The long side, in tile pixels, of the region the character's ink reaches (above 5% of its peak)
    /// after blurring, as EMNIST's conversion sizes it (default 24.75, measured: the median over real
    /// EMNIST tiles). The region is centred in the tile.
    /// </summary>
    public double CharacterSize { get; init; } = 24.75;

    /// <summary>Bring the stroke width into <see cref="MinimumStrokeWidth"/>..<see cref="MaximumStrokeWidth"/> (default true).</summary>
    public bool NormalizeStrokeWidth { get; init; } = true;

    /// <summary>
    /// The thinnest stroke kept as it is, as a fraction of the ink box's long side (default 0.11, measured:
    /// the 25th percentile over real EMNIST tiles). Thinner strokes are thickened to it.
    /// </summary>
    public double MinimumStrokeWidth { get; init; } = 0.11;

    /// <summary>
    /// The thickest stroke kept as it is, as a fraction of the ink box's long side (default 0.16,
    /// measured: the 75th percentile over real EMNIST tiles). Thicker strokes are thinned to it.
    /// </summary>
    public double MaximumStrokeWidth { get; init; } = 0.16;

    /// <summary>
    /// The Gaussian blur's sigma in tile pixels, applied before the final shrink (default 0.5, measured:
    /// it makes a sharp pen stroke's edges as soft as EMNIST's).
    /// </summary>
    public double BlurSigma { get; init; } = 0.5;

    internal void Validate()
    {
        // Casts and deserialized settings can carry numbers no member names.
        Check(Enum.IsDefined(Polarity), nameof(Polarity), Polarity, $"one of {string.Join(", ", Enum.GetNames<InkPolarity>())}");
        Check(Enum.IsDefined(Centering), nameof(Centering), Centering, $"one of {string.Join(", ", Enum.GetNames<InkCentering>())}");
        Check(AnalysisSize is >= 64 and <= MaxAnalysisSize, nameof(AnalysisSize), AnalysisSize, $"64 to {MaxAnalysisSize} pixels (InkNormalizationOptions.MaxAnalysisSize)");
        Check(BackgroundWindow > 0 && BackgroundWindow <= 1, nameof(BackgroundWindow), BackgroundWindow, "a fraction in (0, 1]");
        Check(SpeckFraction >= 0 && SpeckFraction < 1, nameof(SpeckFraction), SpeckFraction, "a fraction in [0, 1)");
        Check(MinimumContrast >= 0 && MinimumContrast < 255, nameof(MinimumContrast), MinimumContrast, "in [0, 255)");
        Check(CharacterSize >= 8 && CharacterSize <= CharacterTile.Side, nameof(CharacterSize), CharacterSize, $"between 8 and {CharacterTile.Side} pixels");
        Check(MinimumStrokeWidth > 0 && MinimumStrokeWidth <= MaximumStrokeWidth && MaximumStrokeWidth < 1,
            nameof(MinimumStrokeWidth), MinimumStrokeWidth, "positive and at most MaximumStrokeWidth (below 1)");
        Check(BlurSigma >= 0 && BlurSigma <= 4, nameof(BlurSigma), BlurSigma, "between 0 and 4 tile pixels");
    }

    private static void Check(bool valid, string name, object value, string expected)
    {
        if (!valid)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be {expected}.");
    }
}
