using Hcr.MLNet.DataViews;

namespace Hcr.MLNet.Imaging;

/// <summary>Options of <see cref="CharacterImageLoader"/>.</summary>
public sealed class CharacterImageLoaderOptions
{
    /// <summary>
    /// The longest side, in pixels, of the images the loader returns (default 512). Larger images are
    /// downscaled while they are decoded; smaller ones are returned at their own size. 512 px keeps a
    /// stroke several pixels wide, far more than the 28×28 tile needs, while the normaliser stays fast.
    /// 28 to <see cref="MaxWorkingSize"/>.
    /// </summary>
    public int WorkingSize { get; init; } = 512;

    /// <summary>
    /// The largest <see cref="WorkingSize"/>: what follows the loader works on every pixel it returns, and 8192² pixels
    /// (256 MB decoded) is four times the largest page the readers look at.
    /// </summary>
    public const int MaxWorkingSize = 8192;

    /// <summary>
    /// Images whose shorter side is below this many pixels (default 8) are rejected as too small to
    /// hold a character.
    /// </summary>
    public int MinimumSize { get; init; } = 8;

    /// <summary>
    /// The most pixels (default 64 million, 256 MB decoded) the loader decodes in one piece for formats
    /// that can be neither decoded at a reduced size nor row by row (GIF, for example). Larger images of
    /// such formats are rejected rather than exhausting memory. JPEG, PNG, WebP and BMP never need it.
    /// </summary>
    public long MaxWholeDecodePixels { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// The most encoded bytes (default 256 MiB) the loader accepts from one file or stream: a stream that cannot be read
    /// in place is copied into memory, and this bounds the copy, so that an endless or huge stream is refused rather
    /// than exhausting memory. A photo of a page is a few MB.
    /// </summary>
    public long MaxEncodedBytes { get; init; } = 256L * 1024 * 1024;

    internal void Validate()
    {
        if (MaxEncodedBytes < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxEncodedBytes), MaxEncodedBytes, "The encoded size limit must be positive.");
        if (WorkingSize < CharacterTile.Side || WorkingSize > MaxWorkingSize)
            throw new ArgumentOutOfRangeException(nameof(WorkingSize), WorkingSize, $"The working size must be {CharacterTile.Side} to {MaxWorkingSize} pixels (CharacterImageLoaderOptions.MaxWorkingSize).");
        if (MinimumSize < 1)
            throw new ArgumentOutOfRangeException(nameof(MinimumSize), MinimumSize, "The minimum size must be at least 1 pixel.");
        if (MaxWholeDecodePixels < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxWholeDecodePixels), MaxWholeDecodePixels, "The pixel limit must be positive.");
    }
}
