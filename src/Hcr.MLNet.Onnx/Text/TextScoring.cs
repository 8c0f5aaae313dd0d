namespace Hcr.MLNet.Text;

/// <summary>Class probabilities of strips through a <see cref="ITextScorer"/>, in batches of similar widths.</summary>
internal static class TextScoring
{
    /// <summary>Strips per network call: similar widths (sorted) keep padding small.</summary>
    public const int BatchSize = 32;

    /// <summary>For each strip, its positions × classes probabilities, row-major; the padding's positions are left out.</summary>
    public static float[][] Probabilities(ITextScorer scorer, IReadOnlyList<NormalizedLine> lines)
    {
        var result = new float[lines.Count][];
        int[] order = Enumerable.Range(0, lines.Count).OrderBy(i => lines[i].Width).ToArray();
        foreach (int[] chunk in order.Chunk(BatchSize))
        {
            (float[] pixels, int width, long[] positions) = TextBatch.Pad(chunk.Select(i => (lines[i].Pixels, lines[i].Width)).ToArray());
            float[] all = scorer.Score(pixels, chunk.Length, width);
            // Loading refuses NaN weights, but finite weights large enough to overflow (a diverged training's) still give
            // NaN here, and every decoder would turn them into garbage or nothing.
            if (!AllFinite(all))
            {
                throw new InvalidOperationException(
                    "The text reader's network gave NaN or infinite probabilities: its weights are unusable (a training that diverged). Train it again at a lower learning rate.");
            }
            int columns = width / TextStrip.WidthStride;
            int classes = all.Length / (chunk.Length * columns);
            int stride = columns * classes;
            for (int k = 0; k < chunk.Length; k++)
                result[chunk[k]] = all.AsSpan(k * stride, (int)positions[k] * classes).ToArray();
        }
        return result;
    }

    private static bool AllFinite(float[] values)
    {
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
                return false;
        }
        return true;
    }
}
