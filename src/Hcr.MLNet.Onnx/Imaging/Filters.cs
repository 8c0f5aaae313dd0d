using System.Numerics.Tensors;

namespace Hcr.MLNet.Imaging;

/// <summary>Grey-level filters the normalisation steps share: rank filters, blurs, morphology.</summary>
internal static class Filters
{
    /// <summary>3×3 median (edges replicated): removes salt-and-pepper noise and one-pixel specks, keeps edges.</summary>
    public static GreyImage Median3x3(GreyImage image)
    {
        int width = image.Width, height = image.Height;
        float[] src = image.Data;
        var result = new GreyImage(width, height);
        float[] dst = result.Data;
        for (int y = 0; y < height; y++)
        {
            int up = Math.Max(0, y - 1) * width, mid = y * width, down = Math.Min(height - 1, y + 1) * width;
            for (int x = 0; x < width; x++)
            {
                int left = Math.Max(0, x - 1), right = Math.Min(width - 1, x + 1);
                dst[mid + x] = MedianOf9(
                    src[up + left], src[up + x], src[up + right],
                    src[mid + left], src[mid + x], src[mid + right],
                    src[down + left], src[down + x], src[down + right]);
            }
        }
        return result;
    }

    /// <summary>The median of nine values by Paeth's 19-exchange selection network: no sorting, no allocation.</summary>
    internal static float MedianOf9(float p0, float p1, float p2, float p3, float p4, float p5, float p6, float p7, float p8)
    {
        Order(ref p1, ref p2); Order(ref p4, ref p5); Order(ref p7, ref p8);
        Order(ref p0, ref p1); Order(ref p3, ref p4); Order(ref p6, ref p7);
        Order(ref p1, ref p2); Order(ref p4, ref p5); Order(ref p7, ref p8);
        Order(ref p0, ref p3); Order(ref p5, ref p8); Order(ref p4, ref p7);
        Order(ref p3, ref p6); Order(ref p1, ref p4); Order(ref p2, ref p5);
        Order(ref p4, ref p7); Order(ref p4, ref p2); Order(ref p6, ref p4);
        Order(ref p4, ref p2);
        return p4;
    }

    private static void Order(ref float a, ref float b)
    {
        if (a > b)
            (a, b) = (b, a);
    }

    /// <summary>Minimum (erosion) or maximum (dilation) over a square of side 2·<paramref name="radius"/>+1 (window clipped at the edges), in O(1) per pixel.</summary>
    public static GreyImage SquareExtremum(GreyImage image, int radius, bool maximum)
    {
        if (radius <= 0)
            return image.Clone();
        // A square is a column segment of row segments: the vertical pass, then the horizontal one as a vertical pass
        // over the transposed image, where both run over whole rows at once.
        GreyImage columns = ExtremumAlongColumns(image, radius, maximum);
        return Transpose(ExtremumAlongColumns(Transpose(columns), radius, maximum));
    }

    /// <summary>
    /// Grey-level opening (the minimum over a square of side 2·<paramref name="radius"/>+1, then the maximum over the same
    /// square, windows clipped at the edges): removes bright details the square does not fit in and keeps the rest.
    /// The same as <see cref="SquareExtremum"/> twice, with two transposes instead of four (the vertical and horizontal
    /// passes of one extremum commute, so the two horizontal passes run back to back on one transposed image).
    /// </summary>
    public static GreyImage Opening(GreyImage image, int radius)
    {
        if (radius <= 0)
            return image.Clone();
        GreyImage transposed = Transpose(ExtremumAlongColumns(image, radius, maximum: false));
        transposed = ExtremumAlongColumns(ExtremumAlongColumns(transposed, radius, maximum: false), radius, maximum: true);
        return ExtremumAlongColumns(Transpose(transposed), radius, maximum: true);
    }

    /// <summary>
    /// The extremum over each pixel's column segment of 2·<paramref name="radius"/>+1 rows (clipped at the top and bottom):
    /// van Herk / Gil-Werman (see <see cref="SlidingExtremum"/>) with whole rows as the values, so that every step is a
    /// vectorised minimum or maximum of two rows (<see cref="TensorPrimitives"/>).
    /// </summary>
    private static GreyImage ExtremumAlongColumns(GreyImage image, int radius, bool maximum)
    {
        int width = image.Width, height = image.Height, k = 2 * radius + 1;
        // The blocks are laid over the column padded by radius rows above and below, as in SlidingExtremum; the padding
        // rows are left out of the runs, which clips the window as a neutral value (−∞ for a maximum, +∞ for a minimum)
        // would. Runs are stored by image row (padded row i is image row i − radius).
        var prefix = new float[height * width];
        var suffix = new float[height * width];
        Span<float> Row(float[] rows, int padded) => rows.AsSpan((padded - radius) * width, width);
        ReadOnlySpan<float> SourceRow(int padded) => image.Data.AsSpan((padded - radius) * width, width);
        for (int start = 0; start < height + 2 * radius; start += k)
        {
            // Only the part of the block inside the image holds values.
            int from = Math.Max(start, radius), to = Math.Min(start + k, radius + height);
            if (from >= to)
                continue;
            SourceRow(from).CopyTo(Row(prefix, from));
            for (int i = from + 1; i < to; i++)
                Extremum(Row(prefix, i - 1), SourceRow(i), Row(prefix, i), maximum);
            SourceRow(to - 1).CopyTo(Row(suffix, to - 1));
            for (int i = to - 2; i >= from; i--)
                Extremum(Row(suffix, i + 1), SourceRow(i), Row(suffix, i), maximum);
        }
        var result = new GreyImage(width, height);
        for (int y = 0; y < height; y++)
        {
            // The window of output row y is padded rows [y, y + 2·radius]: the suffix of the block holding y and the
            // prefix of the block holding y + 2·radius, each clipped to the rows inside the image; when clipping leaves the
            // window in one block, the run of that block that covers exactly the window.
            int top = Math.Max(y, radius), bottom = Math.Min(y + 2 * radius, radius + height - 1);
            Span<float> output = result.Data.AsSpan(y * width, width);
            if (top / k != bottom / k)
                Extremum(Row(suffix, top), Row(prefix, bottom), output, maximum);
            else if (top == Math.Max(top / k * k, radius))
                Row(prefix, bottom).CopyTo(output); // the block's run starts at the window's top
            else
                Row(suffix, top).CopyTo(output); // otherwise only clipping at the bottom leaves the window in one block
        }
        return result;
    }

    private static void Extremum(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination, bool maximum)
    {
        if (maximum)
            TensorPrimitives.Max(a, b, destination);
        else
            TensorPrimitives.Min(a, b, destination);
    }

    private static GreyImage ExtremumAlongRows(GreyImage image, int radius, bool maximum)
    {
        if (radius == 0)
            return image;
        var result = new GreyImage(image.Width, image.Height);
        int n = image.Width;
        var padded = new float[n + 2 * radius];
        var prefix = new float[padded.Length];
        var suffix = new float[padded.Length];
        // Outside the line is neutral (−∞ for a maximum, +∞ for a minimum): the window is clipped.
        float neutral = maximum ? float.NegativeInfinity : float.PositiveInfinity;
        for (int y = 0; y < image.Height; y++)
        {
            padded.AsSpan().Fill(neutral);
            image.Data.AsSpan(y * n, n).CopyTo(padded.AsSpan(radius));
            SlidingExtremum(padded, prefix, suffix, radius, maximum);
            // Window of padded index i + radius is [i, i + 2·radius].
            for (int i = 0; i < n; i++)
            {
                float a = suffix[i], b = prefix[i + 2 * radius];
                result.Data[y * n + i] = maximum ? Math.Max(a, b) : Math.Min(a, b);
            }
        }
        return result;
    }

    /// <summary>
    /// Van Herk / Gil-Werman: in blocks of k = 2·radius+1, running extremes from each block's start
    /// (<paramref name="prefix"/>) and from its end (<paramref name="suffix"/>); any window of k values
    /// spans at most two blocks, so its extreme is max(suffix[start], prefix[end]).
    /// </summary>
    internal static void SlidingExtremum(float[] values, float[] prefix, float[] suffix, int radius, bool maximum)
    {
        int k = 2 * radius + 1, n = values.Length;
        // Block by block, one branch-free loop per direction: the per-pixel test of the block's edge and of which
        // extreme was asked for cost more than the comparisons themselves.
        for (int start = 0; start < n; start += k)
        {
            int end = Math.Min(start + k, n);
            float run = values[start];
            prefix[start] = run;
            for (int i = start + 1; i < end; i++)
                prefix[i] = run = maximum ? MathF.Max(run, values[i]) : MathF.Min(run, values[i]);
            run = values[end - 1];
            suffix[end - 1] = run;
            for (int i = end - 2; i >= start; i--)
                suffix[i] = run = maximum ? MathF.Max(run, values[i]) : MathF.Min(run, values[i]);
        }
    }

    /// <summary>The image extended by <paramref name="pad"/> pixels on every side, each new pixel a copy of the nearest edge pixel.</summary>
    public static GreyImage PadWithEdges(GreyImage image, int pad)
    {
        int width = image.Width + 2 * pad, height = image.Height + 2 * pad;
        var result = new GreyImage(width, height);
        for (int y = 0; y < height; y++)
        {
            int row = Math.Clamp(y - pad, 0, image.Height - 1) * image.Width;
            for (int x = 0; x < width; x++)
                result.Data[y * width + x] = image.Data[row + Math.Clamp(x - pad, 0, image.Width - 1)];
        }
        return result;
    }

    /// <summary>The <paramref name="width"/>×<paramref name="height"/> part of the image whose top-left pixel is (<paramref name="left"/>, <paramref name="top"/>).</summary>
    public static GreyImage Crop(GreyImage image, int left, int top, int width, int height)
    {
        var result = new GreyImage(width, height);
        for (int y = 0; y < height; y++)
            image.Data.AsSpan((top + y) * image.Width + left, width).CopyTo(result.Data.AsSpan(y * width, width));
        return result;
    }

    public static GreyImage Transpose(GreyImage image)
    {
        int width = image.Width, height = image.Height;
        var result = new GreyImage(height, width);
        float[] source = image.Data, target = result.Data;
        // In tiles, so that the rows read and the columns written stay in cache on large pages.
        const int Tile = 32;
        for (int y0 = 0; y0 < height; y0 += Tile)
        {
            for (int x0 = 0; x0 < width; x0 += Tile)
            {
                int yEnd = Math.Min(y0 + Tile, height), xEnd = Math.Min(x0 + Tile, width);
                for (int y = y0; y < yEnd; y++)
                {
                    for (int x = x0; x < xEnd; x++)
                        target[x * height + y] = source[y * width + x];
                }
            }
        }
        return result;
    }

    /// <summary>
    /// Grey-level dilation (<paramref name="radius"/> &gt; 0) or erosion (&lt; 0) by a disc: thickens or
    /// thins strokes evenly in every direction. The disc is a stack of horizontal segments, one per row
    /// offset; each segment's extreme comes from a row-wise sliding extreme (O(1) a pixel), so the cost
    /// grows with the radius, not its square. Outside the image is background (0).
    /// </summary>
    public static GreyImage DiscMorphology(GreyImage image, int radius)
    {
        if (radius == 0)
            return image.Clone();
        bool dilate = radius > 0;
        int r = Math.Abs(radius);
        // Pad by r with background so that erosion sees the outside as 0, as dilation ignores it.
        var padded = new GreyImage(image.Width + 2 * r, image.Height + 2 * r);
        for (int y = 0; y < image.Height; y++)
            image.Data.AsSpan(y * image.Width, image.Width).CopyTo(padded.Data.AsSpan((y + r) * padded.Width + r));
        var halfWidths = new int[2 * r + 1];
        for (int dy = -r; dy <= r; dy++)
            halfWidths[dy + r] = (int)Math.Floor(Math.Sqrt(r * r + r - dy * dy)); // r² + r: a rounder disc for small radii
        var rows = new Dictionary<int, GreyImage>();
        foreach (int half in halfWidths.Distinct())
            rows[half] = ExtremumAlongRows(padded, half, dilate);
        var result = new GreyImage(image.Width, image.Height);
        float[] output = result.Data;
        output.AsSpan().Fill(dilate ? float.MinValue : float.MaxValue);
        for (int dy = -r; dy <= r; dy++)
        {
            float[] segment = rows[halfWidths[dy + r]].Data;
            for (int y = 0; y < image.Height; y++)
            {
                int from = (y + r + dy) * padded.Width + r, to = y * image.Width;
                for (int x = 0; x < image.Width; x++)
                    output[to + x] = dilate ? Math.Max(output[to + x], segment[from + x]) : Math.Min(output[to + x], segment[from + x]);
            }
        }
        return result;
    }

    /// <summary>Separable Gaussian blur; outside the image counts as background (0).</summary>
    public static GreyImage Gaussian(GreyImage image, double sigma)
    {
        if (sigma <= 0)
            return image.Clone();
        int radius = (int)Math.Ceiling(3 * sigma);
        var kernel = new float[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++)
            sum += kernel[i + radius] = (float)Math.Exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < kernel.Length; i++)
            kernel[i] /= (float)sum;
        return Convolve(Convolve(image, kernel, horizontal: true), kernel, horizontal: false);
    }

    /// <summary>Mean over a square of side 2·<paramref name="radius"/>+1 (window clipped at the edges).</summary>
    public static GreyImage BoxMean(GreyImage image, int radius)
    {
        if (radius <= 0)
            return image.Clone();
        return BoxMean1D(BoxMean1D(image, radius, horizontal: true), radius, horizontal: false);
    }

    private static GreyImage BoxMean1D(GreyImage image, int radius, bool horizontal)
    {
        var result = new GreyImage(image.Width, image.Height);
        int lines = horizontal ? image.Height : image.Width, length = horizontal ? image.Width : image.Height;
        var prefix = new double[length + 1];
        for (int line = 0; line < lines; line++)
        {
            for (int i = 0; i < length; i++)
                prefix[i + 1] = prefix[i] + (horizontal ? image[i, line] : image[line, i]);
            for (int i = 0; i < length; i++)
            {
                int from = Math.Max(0, i - radius), to = Math.Min(length - 1, i + radius);
                float mean = (float)((prefix[to + 1] - prefix[from]) / (to - from + 1));
                if (horizontal)
                    result[i, line] = mean;
                else
                    result[line, i] = mean;
            }
        }
        return result;
    }

    private static GreyImage Convolve(GreyImage image, float[] kernel, bool horizontal)
    {
        int radius = kernel.Length / 2;
        // Work along lines (rows, or columns of the transposed image) so the inner loop is contiguous.
        GreyImage source = horizontal ? image : Transpose(image);
        int width = source.Width;
        var result = new GreyImage(source.Width, source.Height);
        float[] src = source.Data, dst = result.Data;
        for (int y = 0; y < source.Height; y++)
        {
            int row = y * width;
            for (int x = 0; x < width; x++)
            {
                // Taps outside the line are background (0) and are skipped.
                int from = Math.Max(-radius, -x), to = Math.Min(radius, width - 1 - x);
                float sum = 0;
                for (int k = from; k <= to; k++)
                    sum += kernel[k + radius] * src[row + x + k];
                dst[row + x] = sum;
            }
        }
        return horizontal ? result : Transpose(result);
    }

    /// <summary>Means of <paramref name="cell"/>×<paramref name="cell"/> blocks; the last row and column of blocks may be partial.</summary>
    public static GreyImage ShrinkByCells(GreyImage image, int cell)
    {
        int width = (image.Width + cell - 1) / cell, height = (image.Height + cell - 1) / cell;
        var sums = new double[width * height];
        var counts = new int[width * height];
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                int c = y / cell * width + x / cell;
                sums[c] += image.Data[y * image.Width + x];
                counts[c]++;
            }
        }
        var result = new GreyImage(width, height);
        for (int c = 0; c < sums.Length; c++)
            result.Data[c] = (float)(sums[c] / counts[c]);
        return result;
    }

    /// <summary>Bilinear interpolation of a grid of cell values (cell centres at (i + 0.5)·cell) back to <paramref name="width"/>×<paramref name="height"/>.</summary>
    public static GreyImage EnlargeCells(GreyImage cells, int cell, int width, int height)
    {
        var result = new GreyImage(width, height);
        for (int y = 0; y < height; y++)
        {
            double v = Math.Clamp((y + 0.5) / cell - 0.5, 0, cells.Height - 1);
            int y0 = (int)v, y1 = Math.Min(y0 + 1, cells.Height - 1);
            float fy = (float)(v - y0);
            for (int x = 0; x < width; x++)
            {
                double u = Math.Clamp((x + 0.5) / cell - 0.5, 0, cells.Width - 1);
                int x0 = (int)u, x1 = Math.Min(x0 + 1, cells.Width - 1);
                float fx = (float)(u - x0);
                float top = cells[x0, y0] + fx * (cells[x1, y0] - cells[x0, y0]);
                float bottom = cells[x0, y1] + fx * (cells[x1, y1] - cells[x0, y1]);
                result[x, y] = top + fy * (bottom - top);
            }
        }
        return result;
    }

    /// <summary>Area-averages an image so that its long side is at most <paramref name="maximumSide"/> (each pixel adds to the one output pixel it maps to).</summary>
    public static GreyImage ShrinkToFit(GreyImage image, int maximumSide)
    {
        int longSide = Math.Max(image.Width, image.Height);
        if (longSide <= maximumSide)
            return image;
        double scale = (double)maximumSide / longSide;
        int width = Math.Max(1, (int)Math.Round(image.Width * scale)), height = Math.Max(1, (int)Math.Round(image.Height * scale));
        var sums = new double[width * height];
        var counts = new int[width * height];
        for (int y = 0; y < image.Height; y++)
        {
            int row = (int)((long)y * height / image.Height) * width;
            for (int x = 0; x < image.Width; x++)
            {
                int o = row + (int)((long)x * width / image.Width);
                sums[o] += image.Data[y * image.Width + x];
                counts[o]++;
            }
        }
        var result = new GreyImage(width, height);
        for (int o = 0; o < sums.Length; o++)
            result.Data[o] = (float)(sums[o] / Math.Max(1, counts[o]));
        return result;
    }
}
