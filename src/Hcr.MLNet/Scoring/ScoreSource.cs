using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Scoring;

/// <summary>
/// Probabilities of the current row of a cursor, computed from the row's own pixels when first asked
/// for and kept until the cursor moves. Rows are scored one at a time, as ML.NET's own ONNX and
/// TensorFlow transformers do: reading the input a second time to batch ahead would recompute (or, for
/// image transforms that dispose what they read, break) everything upstream.
/// </summary>
internal sealed class ScoreSource(IBatchScorer scorer, DataViewRow row, ValueGetter<VBuffer<float>> pixels)
{
    private readonly float[] _pixels = new float[IBatchScorer.PixelCount];
    private readonly float[] _probabilities = new float[scorer.ClassCount];
    private long _scored = -1;
    private VBuffer<float> _buffer;

    /// <summary>The current row's probabilities.</summary>
    public ReadOnlySpan<float> Current
    {
        get
        {
            long position = row.Position;
            if (position < 0)
                throw new InvalidOperationException("The cursor is not on a row: call MoveNext first.");
            if (position != _scored)
            {
                pixels(ref _buffer);
                _buffer.CopyTo(_pixels);
                scorer.Score(_pixels, 1, _probabilities);
                _scored = position;
            }
            return _probabilities;
        }
    }
}
