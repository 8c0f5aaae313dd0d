namespace Hcr.MLNet.Imaging;

/// <summary>A rectangle of pixels, <see cref="Right"/> and <see cref="Bottom"/> exclusive.</summary>
internal readonly record struct InkRegion(int Left, int Top, int Right, int Bottom)
{
    public int Width => Right - Left;

    public int Height => Bottom - Top;

    public int LongSide => Math.Max(Width, Height);

    public double CenterX => (Left + Right) / 2.0;

    public double CenterY => (Top + Bottom) / 2.0;

    /// <summary>The same pixels as the public API's box: corner, width and height.</summary>
    public InkBox ToBox() => new(Left, Top, Width, Height);
}
