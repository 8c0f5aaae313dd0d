using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Scoring;

/// <summary>
/// Probabilities of the current row of a cursor, computed when first asked for. In batched mode a
/// second cursor over the same (unshuffled) input reads the pixels ahead and scores a whole batch at
/// once; the rows line up because both cursors walk the input in its own order. Otherwise the row's
/// pixels are read from the main cursor and scored alone.
/// </summary>
internal sealed class ScoreSource : IDisposable
{
    private const int BatchSize = 256;

    private readonly NetworkScorer _scorer;
    private readonly DataViewRow _row;
    private readonly ValueGetter<VBuffer<float>>? _rowPixels;
    private readonly Func<DataViewRowCursor>? _openLookahead;
    private readonly DataViewSchema.Column _pixelsColumn;
    private DataViewRowCursor? _lookahead;
    private ValueGetter<VBuffer<float>>? _lookaheadPixels;
    private readonly float[] _pixels;
    private readonly float[] _probabilities;
    private long _first = -1;
    private int _count;
    private VBuffer<float> _buffer;

    /// <param name="scorer">The network.</param>
    /// <param name="row">The row whose position is followed.</param>
    /// <param name="rowPixels">Getter of the row's own pixels (row-by-row mode), or null in batched mode.</param>
    /// <param name="openLookahead">Opens a pixels-only cursor over the same input (batched mode), or null.</param>
    /// <param name="pixelsColumn">The input's pixels column.</param>
    public ScoreSource(NetworkScorer scorer, DataViewRow row, ValueGetter<VBuffer<float>>? rowPixels, Func<DataViewRowCursor>? openLookahead, DataViewSchema.Column pixelsColumn)
    {
        _pixelsColumn = pixelsColumn;
        _scorer = scorer;
        _row = row;
        _rowPixels = rowPixels;
        _openLookahead = openLookahead;
        int capacity = openLookahead is null ? 1 : BatchSize;
        _pixels = new float[capacity * NetworkScorer.PixelCount];
        _probabilities = new float[capacity * scorer.ClassCount];
    }

    /// <summary>The current row's probabilities.</summary>
    public ReadOnlySpan<float> Current
    {
        get
        {
            long position = _row.Position;
            if (position < 0)
                throw new InvalidOperationException("The cursor is not on a row: call MoveNext first.");
            if (position < _first || position >= _first + _count)
                Fill(position);
            return _probabilities.AsSpan((int)(position - _first) * _scorer.ClassCount, _scorer.ClassCount);
        }
    }

    private void Fill(long position)
    {
        if (_openLookahead is null)
        {
            _rowPixels!(ref _buffer);
            _buffer.CopyTo(_pixels);
            Score(position, 1);
            return;
        }
        if (_lookahead is null)
        {
            _lookahead = _openLookahead();
            _lookaheadPixels = _lookahead.GetGetter<VBuffer<float>>(_pixelsColumn);
        }
        // Batches are read in order; rows the consumer skipped are scored and dropped.
        while (position >= _first + _count || _first < 0)
        {
            long start = _lookahead.Position + 1;
            int n = 0;
            while (n < BatchSize && _lookahead.MoveNext())
            {
                _lookaheadPixels!(ref _buffer);
                _buffer.CopyTo(_pixels, n * NetworkScorer.PixelCount);
                n++;
            }
            if (n == 0)
                throw new InvalidOperationException("The input data has fewer rows on a second read than on the first; it cannot be scored in batches.");
            Score(start, n);
        }
    }

    private void Score(long first, int count)
    {
        _scorer.Score(_pixels, count, _probabilities);
        _first = first;
        _count = count;
    }

    public void Dispose() => _lookahead?.Dispose();
}
