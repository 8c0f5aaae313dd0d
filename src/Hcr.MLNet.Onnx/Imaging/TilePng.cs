using Hcr.MLNet.DataViews;
using Hcr.MLNet.IO;
using SkiaSharp;

namespace Hcr.MLNet.Imaging;

/// <summary>Writes a 28×28 tile as a greyscale PNG, enlarged with square pixels so that it is easy to look at.</summary>
internal static class TilePng
{
    private const int Size = CharacterTile.Side;

    public static void Save(ReadOnlySpan<byte> tile, string path, int scale)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale, 64);
        if (tile.Length != Size * Size)
            throw new ArgumentException($"A tile is {Size * Size} pixels, not {tile.Length}.", nameof(tile));
        int side = Size * scale;
        var gray = new byte[side * side];
        for (int y = 0; y < side; y++)
        {
            for (int x = 0; x < side; x++)
                gray[y * side + x] = tile[y / scale * Size + x / scale];
        }
        using SKImage image = SKImage.FromPixelCopy(new SKImageInfo(side, side, SKColorType.Gray8, SKAlphaType.Opaque), gray, side)
            ?? throw new InvalidOperationException("SkiaSharp could not make an image of the tile.");
        using SKData png = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("SkiaSharp could not encode the tile as PNG.");
        AtomicFile.WriteAllBytes(path, png.AsSpan());
    }
}
