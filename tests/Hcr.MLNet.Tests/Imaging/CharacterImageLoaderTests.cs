using Hcr.MLNet.Imaging;
using Hcr.MLNet.Tests.TestSupport;
using Microsoft.ML.Data;
using SkiaSharp;

namespace Hcr.MLNet.Tests.Imaging;

public class CharacterImageLoaderTests
{
    private readonly CharacterImageLoader _loader = new();

    [Fact]
    public void Missing_file_is_FileNotFoundException_naming_the_file()
    {
        using var dir = new TempDirectory();
        string path = dir.File("nothing-here.png");
        var e = Assert.Throws<FileNotFoundException>(() => _loader.Load(path));
        Assert.Equal(path, e.FileName);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zero_byte_file_is_unusable_and_named()
    {
        using var dir = new TempDirectory();
        string path = dir.File("empty.jpg");
        File.WriteAllBytes(path, []);
        var e = Assert.Throws<UnusableImageException>(() => _loader.Load(path));
        Assert.Equal(path, e.ImageSource);
        Assert.Contains("empty", e.Problem, StringComparison.Ordinal);
        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_file_named_png_is_not_an_image()
    {
        using var dir = new TempDirectory();
        string path = dir.File("letter.png");
        File.WriteAllText(path, "This is not a picture of a letter, it is a letter.");
        var e = Assert.Throws<UnusableImageException>(() => _loader.Load(path));
        Assert.Equal(path, e.ImageSource);
        Assert.Contains("not an image", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_png_is_unusable()
    {
        byte[] png = TestImages.Encode(TestImages.GreyToRgba(TestImages.Disc(200, 200, 100, 100, 60, 0, 255)), 200, 200, SKEncodedImageFormat.Png);
        var e = Assert.Throws<UnusableImageException>(() => _loader.Load(png[..(png.Length / 2)], "half.png"));
        Assert.Equal("half.png", e.ImageSource);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 40)]
    public void Tiny_image_is_too_small_to_hold_a_character(int width, int height)
    {
        byte[] png = TestImages.Encode(TestImages.GreyToRgba(new byte[width * height]), width, height, SKEncodedImageFormat.Png);
        var e = Assert.Throws<UnusableImageException>(() => _loader.Load(png, "dot.png"));
        Assert.Contains("too small to hold a character", e.Problem, StringComparison.Ordinal);
        Assert.Contains($"{width}x{height}", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Large_image_is_shrunk_to_the_working_size_keeping_its_aspect()
    {
        byte[] jpeg = TestImages.Encode(TestImages.GreyToRgba(TestImages.Disc(1600, 1000, 800, 500, 300, 0, 255)), 1600, 1000, SKEncodedImageFormat.Jpeg);
        using MLImage image = _loader.Load(jpeg);
        Assert.Equal((512, 320), (image.Width, image.Height));
        Assert.Equal(MLPixelFormat.Bgra32, image.PixelFormat);
        ReadOnlySpan<byte> p = image.Pixels;
        Assert.True(p[(160 * 512 + 256) * 4] < 20, "the disc's centre stays black");
        Assert.True(p[(5 * 512 + 5) * 4] > 235, "the corner stays white");
    }

    [Fact]
    public void Small_image_keeps_its_size_and_colours()
    {
        var rgba = new byte[40 * 30 * 4];
        for (int i = 0; i < 40 * 30; i++)
            (rgba[i * 4], rgba[i * 4 + 1], rgba[i * 4 + 2], rgba[i * 4 + 3]) = ((byte)200, (byte)100, (byte)50, (byte)255);
        using MLImage image = _loader.Load(TestImages.Encode(rgba, 40, 30, SKEncodedImageFormat.Png));
        Assert.Equal((40, 30), (image.Width, image.Height));
        Assert.Equal([50, 100, 200, 255], image.Pixels[..4].ToArray()); // B, G, R, A
    }

    [Fact]
    public void Transparent_png_with_black_ink_becomes_black_ink_on_white()
    {
        // Black ink where opaque, fully transparent (and black) elsewhere: naive decoding shows all black.
        var rgba = new byte[100 * 100 * 4];
        byte[] disc = TestImages.Disc(100, 100, 50, 50, 20, 255, 0);
        for (int i = 0; i < disc.Length; i++)
            rgba[i * 4 + 3] = disc[i];
        using MLImage image = _loader.Load(TestImages.Encode(rgba, 100, 100, SKEncodedImageFormat.Png));
        ReadOnlySpan<byte> p = image.Pixels;
        Assert.Equal([255, 255, 255, 255], p[..4].ToArray());
        Assert.Equal([0, 0, 0, 255], p.Slice((50 * 100 + 50) * 4, 4).ToArray());
    }

    [Fact]
    public void Stream_is_read_from_its_position_and_left_open()
    {
        byte[] png = TestImages.Encode(TestImages.GreyToRgba(TestImages.Disc(64, 64, 32, 32, 20, 0, 255)), 64, 64, SKEncodedImageFormat.Png);
        using var stream = new MemoryStream([1, 2, 3, .. png]);
        stream.Position = 3;
        using MLImage image = _loader.Load(stream, "upload");
        Assert.Equal(64, image.Width);
        Assert.True(stream.CanRead, "the caller's stream is not closed");
    }

    [Fact]
    public void Forward_only_stream_loads()
    {
        byte[] jpeg = TestImages.Encode(TestImages.GreyToRgba(TestImages.Disc(64, 48, 32, 24, 15, 0, 255)), 64, 48, SKEncodedImageFormat.Jpeg);
        using var stream = new ForwardOnlyStream(jpeg);
        using MLImage image = _loader.Load(stream);
        Assert.Equal((64, 48), (image.Width, image.Height));
    }

    [Fact]
    public void An_endless_stream_is_refused_at_the_encoded_size_limit()
    {
        var loader = new CharacterImageLoader(new CharacterImageLoaderOptions { MaxEncodedBytes = 1 << 20 });
        using var endless = new EndlessStream();
        var error = Assert.Throws<UnusableImageException>(() => loader.Load(endless, "upload"));
        Assert.Equal("upload", error.ImageSource);
        Assert.Contains("MaxEncodedBytes", error.Message, StringComparison.Ordinal);
        // It stopped at the limit instead of reading on.
        Assert.InRange(endless.BytesRead, 1 << 20, (1 << 20) + (1 << 17));
    }

    [Fact]
    public void Images_over_the_encoded_size_limit_are_refused_and_those_under_it_load()
    {
        byte[] png = TestImages.Encode(TestImages.GreyToRgba(TestImages.Disc(64, 64, 32, 32, 20, 0, 255)), 64, 64, SKEncodedImageFormat.Png);
        var tight = new CharacterImageLoader(new CharacterImageLoaderOptions { MaxEncodedBytes = png.Length - 1 });
        var enough = new CharacterImageLoader(new CharacterImageLoaderOptions { MaxEncodedBytes = png.Length });
        Assert.Throws<UnusableImageException>(() => tight.Load(png, "bytes"));
        using (var forwardOnly = new ForwardOnlyStream(png))
            Assert.Throws<UnusableImageException>(() => tight.Load(forwardOnly, "forward-only"));
        using MLImage fromBytes = enough.Load(png);
        using var stream = new ForwardOnlyStream(png);
        using MLImage fromStream = enough.Load(stream);
        Assert.Equal(64, fromStream.Width);
    }

    [Fact]
    public void Exif_orientation_is_applied()
    {
        // Stored 80 wide and 40 high, black on the left half; EXIF 6 says "rotate 90° clockwise to view".
        var grey = new byte[80 * 40];
        for (int y = 0; y < 40; y++)
        {
            for (int x = 0; x < 80; x++)
                grey[y * 80 + x] = x < 40 ? (byte)0 : (byte)255;
        }
        byte[] jpeg = TestImages.WithExifOrientation(TestImages.Encode(TestImages.GreyToRgba(grey), 80, 40, SKEncodedImageFormat.Jpeg), 6);
        using MLImage image = _loader.Load(jpeg);
        Assert.Equal((40, 80), (image.Width, image.Height));
        // Rotated clockwise, the stored left half is the top half.
        Assert.True(image.Pixels[(10 * 40 + 20) * 4] < 30, "top is black");
        Assert.True(image.Pixels[(70 * 40 + 20) * 4] > 225, "bottom is white");
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CharacterImageLoader(new CharacterImageLoaderOptions { WorkingSize = 10 }));
        // The upper bound: what follows the loader works on every pixel it returns.
        _ = new CharacterImageLoader(new CharacterImageLoaderOptions { WorkingSize = CharacterImageLoaderOptions.MaxWorkingSize });
        Assert.Contains(CharacterImageLoaderOptions.MaxWorkingSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Assert.Throws<ArgumentOutOfRangeException>(() => new CharacterImageLoader(new CharacterImageLoaderOptions { WorkingSize = CharacterImageLoaderOptions.MaxWorkingSize + 1 })).Message,
            StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CharacterImageLoader(new CharacterImageLoaderOptions { MinimumSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CharacterImageLoader(new CharacterImageLoaderOptions { MaxEncodedBytes = 0 }));
    }

    /// <summary>A forward-only stream of zeros that never ends (a socket that keeps sending); counts what was read.</summary>
    private sealed class EndlessStream : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Clear(buffer, offset, count);
            BytesRead += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class ForwardOnlyStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();

        public override long Position
        {
            get => base.Position;
            set => throw new NotSupportedException();
        }

        public override long Length => throw new NotSupportedException();
    }
}
