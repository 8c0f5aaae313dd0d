namespace Hcr.MLNet.Imaging;

/// <summary>The ink after <see cref="InkCleanup.Clean"/>: the cleaned ink-positive image, its Otsu mask and threshold, and the stroke width it was cleaned for.</summary>
internal sealed record CleanInk(GreyImage Ink, bool[] Mask, float Threshold, double StrokeWidth);

/// <summary>
/// The clean-up every ink analysis starts with (one character, a page of characters, a page of lines, one line): on an
/// ink-positive image (bright ink on black, <see cref="PolarityDetector.ToInkPositive"/>), a rough stroke width from a
/// first Otsu mask, a 3×3 median where strokes are thick enough to keep it, the background (uneven lighting) subtracted
/// with an opening whose window each analysis chooses, and the Otsu mask of what is left. What differs between the
/// analyses is said by <see cref="InkCleanup"/>'s settings, so that the order of the steps is written once.
/// </summary>
/// <param name="StrokesWithoutShadows">Measure the rough stroke width with the first mask's shadows left out (photos, where a shadow would pass for one broad stroke).</param>
/// <param name="Denoise">Apply the median where the rough strokes are at least <see cref="MinimumDenoisedStroke"/> pixels wide.</param>
/// <param name="Window">The opening's window for an image and its rough stroke width; null to leave the lighting as it is.</param>
internal sealed record InkCleanup(bool StrokesWithoutShadows, bool Denoise, Func<GreyImage, double, int>? Window)
{
    /// <summary>Thinner strokes would lose pixels to the median; on them noise is left to the speck filter.</summary>
    public const double MinimumDenoisedStroke = 4;

    /// <summary>
    /// The least difference, in grey levels, between ink and paper for an image to hold ink: the default of
    /// <see cref="InkNormalizationOptions.MinimumContrast"/>, and what the text side uses, so that both call the same images blank.
    /// </summary>
    public const float DefaultMinimumContrast = 24f;

    /// <summary>Ink pieces smaller than this fraction of the largest are specks: <see cref="InkNormalizationOptions.SpeckFraction"/>'s default, and the text side's.</summary>
    public const double DefaultSpeckFraction = 0.02;

    /// <summary>The lighting correction's window as a fraction of the image's long side: <see cref="InkNormalizationOptions.BackgroundWindow"/>'s default, and a line's (bounded by its height).</summary>
    public const double DefaultBackgroundWindow = 0.25;

    public CleanInk Clean(GreyImage ink)
    {
        bool[] first = InkDetection.Threshold(ink, out _);
        if (StrokesWithoutShadows)
            first = InkDetection.RemoveShadows(first, ink.Width, ink.Height);
        double stroke = StrokeWidth.Estimate(first, ink.Width, ink.Height);
        if (Denoise && stroke >= MinimumDenoisedStroke)
            ink = Filters.Median3x3(ink);
        if (Window is not null)
            ink = BackgroundCorrection.Subtract(ink, BackgroundCorrection.EstimateBackground(ink, Window(ink, stroke)));
        bool[] mask = InkDetection.Threshold(ink, out float threshold);
        return new CleanInk(ink, mask, threshold, stroke);
    }
}
