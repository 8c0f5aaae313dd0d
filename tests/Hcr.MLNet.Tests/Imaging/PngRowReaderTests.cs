using Hcr.MLNet.Imaging;
using Hcr.MLNet.Tests.TestSupport;
using Microsoft.ML.Data;
using SkiaSharp;

namespace Hcr.MLNet.Tests.Imaging;

/// <summary>
/// Large PNGs are read row by row by the loader's own reader; each layout must give what SkiaSharp's
/// whole-image decoder gives (shrunk the same way).
/// </summary>
public class PngRowReaderTests
{
    private const int Width = 700, Height = 430;

    public static TheoryData<byte, byte, string> Layouts => new()
    {
        { 0, 1, "grey 1-bit" },
        { 0, 4, "grey 4-bit" },
        { 0, 16, "grey 16-bit" },
        { 2, 8, "RGB 8-bit with a transparent colour" },
        { 2, 16, "RGB 16-bit" },
        { 3, 4, "palette 4-bit with alpha" },
        { 3, 8, "palette 8-bit" },
        { 4, 8, "grey + alpha 8-bit" },
        { 6, 8, "RGBA 8-bit" },
        { 6, 16, "RGBA 16-bit" },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Rows_match_skia_whole_image_decoding(byte colorType, byte bitDepth, string layout)
    {
        using var dir = new TempDirectory();
        string path = dir.File("layout.png");
        WritePattern(path, colorType, bitDepth, layout.Contains("transparent", StringComparison.Ordinal));

        using MLImage loaded = new CharacterImageLoader().Load(path);
        byte[] expected = ReferenceDecode(path, loaded.Width, loaded.Height);
        ReadOnlySpan<byte> actual = loaded.Pixels;
        Assert.Equal(expected.Length, actual.Length);
        int worst = 0;
        for (int i = 0; i < expected.Length; i++)
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        Assert.True(worst <= 1, $"{layout}: largest difference {worst}");
    }

    [Fact]
    public void Corrupt_image_data_is_unusable()
    {
        using var dir = new TempDirectory();
        string path = dir.File("corrupt.png");
        WritePattern(path, 2, 8, transparentColour: false);
        byte[] bytes = File.ReadAllBytes(path);
        for (int i = bytes.Length / 2; i < bytes.Length - 12; i++)
            bytes[i] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<UnusableImageException>(() => new CharacterImageLoader().Load(path));
        Assert.Equal(path, e.ImageSource);
    }

    private static void WritePattern(string path, byte colorType, byte bitDepth, bool transparentColour)
    {
        int channels = colorType switch { 2 => 3, 4 => 2, 6 => 4, _ => 1 };
        int rowBytes = (Width * channels * bitDepth + 7) / 8;
        var chunks = new List<(string, byte[])>();
        if (colorType == 3)
        {
            var palette = new byte[256 * 3];
            for (int i = 0; i < palette.Length; i++)
                palette[i] = (byte)(i * 37 % 251);
            chunks.Add(("PLTE", palette[..((1 << bitDepth) * 3)]));
            chunks.Add(("tRNS", Enumerable.Range(0, 1 << Math.Min((int)bitDepth, 4)).Select(i => (byte)(i * 17)).ToArray()));
        }
        if (transparentColour)
            chunks.Add(("tRNS", [0, 0, 0, 0, 0, 0])); // black is transparent
        StreamingPngWriter.Write(path, Width, Height, colorType, bitDepth, rowBytes, (y, row) =>
        {
            // Smooth gradients plus a hash, so that every filter and sample value turns up.
            for (int i = 0; i < row.Length; i++)
                row[i] = (byte)((i * 7 + y * 3 + (i * y % 13) * 19) % 256);
        }, chunks);
    }

    /// <summary>SkiaSharp decodes the whole image (unpremultiplied BGRA); the loader's box average shrinks it.</summary>
    private static byte[] ReferenceDecode(string path, int width, int height)
    {
        using SKCodec codec = SKCodec.Create(path);
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Bgra8888, SKAlphaType.Unpremul);
        var pixels = new byte[info.BytesSize];
        Assert.Equal(SKCodecResult.Success, codec.GetPixels(info, pixels));
        var box = new BoxDownsampler(info.Width, info.Height, width, height);
        for (int y = 0; y < info.Height; y++)
            box.AddRow(y, pixels.AsSpan(y * info.RowBytes, info.RowBytes));
        return box.ToBgra();
    }
}
