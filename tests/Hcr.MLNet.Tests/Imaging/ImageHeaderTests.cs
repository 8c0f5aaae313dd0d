using Hcr.MLNet.Imaging;
using Hcr.MLNet.Tests.TestSupport;
using SkiaSharp;

namespace Hcr.MLNet.Tests.Imaging;

/// <summary>Encodings that can only be decoded whole are recognised from their headers and limited in size.</summary>
public class ImageHeaderTests
{
    [Fact]
    public void Interlaced_png_and_progressive_jpeg_need_the_whole_image()
    {
        using var dir = new TempDirectory();
        string plain = dir.File("plain.png"), interlaced = dir.File("interlaced.png");
        StreamingPngWriter.Write(plain, 40, 30, 0, 8, 40, (_, row) => row.Fill(200), []);
        StreamingPngWriter.Write(interlaced, 40, 30, 0, 8, 40, (_, row) => row.Fill(200), [], declareInterlaced: true);
        byte[] baseline = TestImages.Encode(TestImages.GreyToRgba(new byte[64 * 64]), 64, 64, SKEncodedImageFormat.Jpeg);
        // SOI, a JFIF APP0 segment, then a progressive start-of-frame (C2).
        byte[] progressive = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, .. new byte[14], 0xFF, 0xC2, 0x00, 0x0B, 8, 0, 64, 0, 64, 1, 1, 0x11, 0];

        Assert.False(Needs(File.ReadAllBytes(plain)));
        Assert.True(Needs(File.ReadAllBytes(interlaced)));
        Assert.False(Needs(baseline));
        Assert.True(Needs(progressive));
        Assert.False(Needs([1, 2, 3]));
    }

    [Fact]
    public void Huge_interlaced_png_is_refused_before_decoding()
    {
        using var dir = new TempDirectory();
        string path = dir.File("interlaced.png");
        // 81 megapixels, over the 64 MP limit for whole-image decoding.
        StreamingPngWriter.Write(path, 9_000, 9_000, 0, 8, 9_000, (_, row) => row.Fill(255), [], declareInterlaced: true);
        var e = Assert.Throws<UnusableImageException>(() => new CharacterImageLoader().Load(path));
        Assert.Contains("interlaced or progressive", e.Problem, StringComparison.Ordinal);
        Assert.Contains("9000x9000", e.Problem, StringComparison.Ordinal);
    }

    private static bool Needs(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        bool result = ImageHeader.NeedsWholeImageBuffer(stream);
        Assert.Equal(0, stream.Position);
        return result;
    }
}
