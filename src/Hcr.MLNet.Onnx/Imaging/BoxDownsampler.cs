namespace Hcr.MLNet.Imaging;

/// <summary>
/// Shrinks an image fed to it one decoded row at a time, in any row order, by box averaging: each
/// source pixel adds to the one output pixel its position maps to. Only the output-sized sums are
/// held, never the source image. Rows are unpremultiplied BGRA; transparency is composited over
/// white as it is added, so a transparent PNG of black ink becomes black ink on white paper.
/// </summary>
internal sealed class BoxDownsampler
{
    private readonly int _sourceHeight;
    private readonly long[] _sums;
    private readonly int[] _counts;
    private readonly int[] _firstColumn;

    public BoxDownsampler(int sourceWidth, int sourceHeight, int width, int height)
    {
        _sourceHeight = sourceHeight;
        Width = width;
        Height = height;
        _sums = new long[width * height * 3];
        _counts = new int[width * height];
        // Source column x goes to output column x·width/sourceWidth; _firstColumn[c] is the first x of column c.
        _firstColumn = new int[width + 1];
        for (int c = 0; c <= width; c++)
            _firstColumn[c] = (int)(((long)c * sourceWidth + width - 1) / width);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Adds source row <paramref name="y"/> (unpremultiplied BGRA, 4 bytes a pixel).</summary>
    public void AddRow(int y, ReadOnlySpan<byte> row)
    {
        int outRow = (int)((long)y * Height / _sourceHeight) * Width;
        for (int column = 0; column < Width; column++)
        {
            // The source pixels of one output column are contiguous: sum them, then add once.
            long b = 0, g = 0, r = 0;
            ReadOnlySpan<byte> pixels = row[(_firstColumn[column] * 4)..(_firstColumn[column + 1] * 4)];
            for (int p = 0; p < pixels.Length; p += 4)
            {
                int alpha = pixels[p + 3];
                if (alpha == 255)
                {
                    b += pixels[p] * 255;
                    g += pixels[p + 1] * 255;
                    r += pixels[p + 2] * 255;
                }
                else
                {
                    // Over white: c·a + 255·(1 − a), in units of 1/255.
                    int paper = 255 * (255 - alpha);
                    b += pixels[p] * alpha + paper;
                    g += pixels[p + 1] * alpha + paper;
                    r += pixels[p + 2] * alpha + paper;
                }
            }
            int o = outRow + column;
            _sums[o * 3] += b;
            _sums[o * 3 + 1] += g;
            _sums[o * 3 + 2] += r;
            _counts[o] += pixels.Length / 4;
        }
    }

    /// <summary>Adds source row <paramref name="y"/> of an opaque grey image (one byte a pixel).</summary>
    public void AddGreyRow(int y, ReadOnlySpan<byte> row)
    {
        int outRow = (int)((long)y * Height / _sourceHeight) * Width;
        for (int column = 0; column < Width; column++)
        {
            long sum = 0;
            foreach (byte v in row[_firstColumn[column].._firstColumn[column + 1]])
                sum += v;
            int o = outRow + column;
            sum *= 255;
            _sums[o * 3] += sum;
            _sums[o * 3 + 1] += sum;
            _sums[o * 3 + 2] += sum;
            _counts[o] += _firstColumn[column + 1] - _firstColumn[column];
        }
    }

    /// <summary>The averages as opaque BGRA.</summary>
    public byte[] ToBgra()
    {
        var result = new byte[Width * Height * 4];
        for (int o = 0; o < _counts.Length; o++)
        {
            long divisor = Math.Max(1, _counts[o]) * 255L;
            for (int c = 0; c < 3; c++)
                result[o * 4 + c] = (byte)((_sums[o * 3 + c] + divisor / 2) / divisor);
            result[o * 4 + 3] = 255;
        }
        return result;
    }
}
