namespace Hcr.MLNet.Imaging;

/// <summary>Small order statistics used by the normalisation steps.</summary>
internal static class Statistics
{
    public static float Median(float[] values) => Percentile(values, 0.5);

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public static float Gaussian(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));

    /// <summary>The value at fraction <paramref name="p"/> of the sorted values (nearest rank); the array is reordered in place.</summary>
    public static float Percentile(float[] values, double p)
    {
        if (values.Length == 0)
            throw new ArgumentException("No values.", nameof(values));
        return Select(values, (int)Math.Round(p * (values.Length - 1)));
    }

    /// <summary>
    /// The value that would be at <paramref name="rank"/> if the values were sorted (Hoare's selection, median-of-three
    /// pivots): linear time on average, where sorting a page's pixels to read one of them was a visible share of
    /// reading a word. .NET has no selection of its own (no nth_element).
    /// </summary>
    internal static float Select(float[] values, int rank)
    {
        int left = 0, right = values.Length - 1;
        while (left < right)
        {
            int middle = left + (right - left) / 2;
            // Median of three as the pivot, which keeps sorted and constant runs (flat paper) from the quadratic case.
            if (values[middle] < values[left])
                (values[middle], values[left]) = (values[left], values[middle]);
            if (values[right] < values[left])
                (values[right], values[left]) = (values[left], values[right]);
            if (values[right] < values[middle])
                (values[right], values[middle]) = (values[middle], values[right]);
            float pivot = values[middle];
            int i = left, j = right;
            while (i <= j)
            {
                while (values[i] < pivot)
                    i++;
                while (values[j] > pivot)
                    j--;
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }
            // Now values[left..j] ≤ pivot ≤ values[i..right], and anything between j and i equals the pivot.
            if (rank <= j)
                right = j;
            else if (rank >= i)
                left = i;
            else
                return values[rank];
        }
        return values[rank];
    }

    /// <summary>Counts of values in 256 one-level bins (values clamped to 0..255).</summary>
    public static int[] Histogram(ReadOnlySpan<float> values)
    {
        var histogram = new int[256];
        foreach (float v in values)
            histogram[Math.Clamp((int)v, 0, 255)]++;
        return histogram;
    }

    /// <summary>The bin at fraction <paramref name="p"/> of the counted values (nearest rank).</summary>
    public static float HistogramPercentile(int[] histogram, double p)
    {
        long total = 0;
        foreach (int count in histogram)
            total += count;
        long rank = (long)Math.Round(p * (total - 1));
        long seen = 0;
        for (int bin = 0; bin < histogram.Length; bin++)
        {
            seen += histogram[bin];
            if (seen > rank)
                return bin;
        }
        return histogram.Length - 1;
    }

    /// <summary>
    /// Otsu's threshold over 256 bins of values in 0..255: the level that best splits them into two
    /// classes (largest between-class variance). Values at or above the returned level are the bright class.
    /// </summary>
    public static float Otsu(ReadOnlySpan<float> values)
    {
        int[] histogram = Histogram(values);
        double total = values.Length, sumAll = 0;
        for (int i = 0; i < 256; i++)
            sumAll += i * (double)histogram[i];
        double weightLow = 0, sumLow = 0, best = -1;
        int threshold = 0;
        for (int t = 0; t < 255; t++)
        {
            weightLow += histogram[t];
            sumLow += t * (double)histogram[t];
            double weightHigh = total - weightLow;
            if (weightLow == 0 || weightHigh == 0)
                continue;
            double meanLow = sumLow / weightLow, meanHigh = (sumAll - sumLow) / weightHigh;
            double between = weightLow * weightHigh * (meanLow - meanHigh) * (meanLow - meanHigh);
            if (between > best)
            {
                best = between;
                threshold = t;
            }
        }
        return threshold + 1f;
    }
}
