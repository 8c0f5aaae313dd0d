using Hcr.MLNet.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Scoring;

/// <summary>
/// Appends a network's columns as ML.NET's multiclass trainers name and annotate them: <c>Score</c>
/// (probabilities, with the class names as slot names) and <c>PredictedLabel</c> (a key with the class
/// names as key values, so that <c>MapKeyToValue</c> gives them back). Rows are scored by the network one
/// at a time, as ML.NET's own ONNX and TensorFlow transformers do: reading the input a second time to
/// batch ahead would recompute (or, for image transforms that dispose what they read, break) everything
/// upstream. Where the probabilities were computed beforehand, in batches, <see cref="Precomputed"/>
/// presents them in the same columns, for ML.NET's evaluator.
/// </summary>
internal sealed class ScoringMapper : AppendingMapper
{
    private readonly Func<DataViewRow, RowScores> _scores;

    private ScoringMapper(DataViewSchema input, IReadOnlyList<string> classNames, IEnumerable<DataViewSchema.Column> sources, Func<DataViewRow, RowScores> scores)
        : base(input, sources, Columns(classNames)) =>
        _scores = scores;

    /// <summary>Scores each row's tile (the column <paramref name="pixelsColumnName"/> of <paramref name="input"/>) with <paramref name="scorer"/>.</summary>
    public static ScoringMapper Create(IBatchScorer scorer, DataViewSchema input, string pixelsColumnName)
    {
        ArgumentNullException.ThrowIfNull(input);
        DataViewSchema.Column pixels = CharacterTile.RequirePixels(input, pixelsColumnName, "input");
        return new ScoringMapper(input, scorer.ClassNames, [pixels],
            row => new NetworkScores(scorer, row, row.GetGetter<VBuffer<float>>(pixels)));
    }

    /// <summary>
    /// Probabilities computed beforehand: the row whose id is <c>r</c> (its index, in a view over a dataset)
    /// gets <paramref name="probabilities"/>[r × classes, (r + 1) × classes).
    /// </summary>
    public static ScoringMapper Precomputed(DataViewSchema input, IReadOnlyList<string> classNames, float[] probabilities) =>
        new(input, classNames, [], row => new StoredScores(probabilities, classNames.Count, row.GetIdGetter()));

    private static DataViewSchema.DetachedColumn[] Columns(IReadOnlyList<string> classNames)
    {
        int count = classNames.Count;
        var names = new VBuffer<ReadOnlyMemory<char>>(count, classNames.Select(n => n.AsMemory()).ToArray());
        var textVector = new VectorDataViewType(TextDataViewType.Instance, count);

        var scoreAnnotations = new DataViewSchema.Annotations.Builder();
        scoreAnnotations.Add(AnnotationKind.SlotNames, textVector, (ref VBuffer<ReadOnlyMemory<char>> value) => names.CopyTo(ref value));
        scoreAnnotations.AddPrimitiveValue(AnnotationKind.ScoreColumnKind, TextDataViewType.Instance, "MulticlassClassification".AsMemory());
        scoreAnnotations.AddPrimitiveValue(AnnotationKind.ScoreValueKind, TextDataViewType.Instance, "Score".AsMemory());

        var keyAnnotations = new DataViewSchema.Annotations.Builder();
        keyAnnotations.Add(AnnotationKind.KeyValues, textVector, (ref VBuffer<ReadOnlyMemory<char>> value) => names.CopyTo(ref value));

        return
        [
            new(HcrColumns.Score, new VectorDataViewType(NumberDataViewType.Single, count), scoreAnnotations.ToAnnotations()),
            new(HcrColumns.PredictedLabel, new KeyDataViewType(typeof(uint), count), keyAnnotations.ToAnnotations()),
        ];
    }

    protected internal override Delegate[] MakeGetters(DataViewRow input)
    {
        RowScores source = _scores(input);
        ValueGetter<VBuffer<float>> score = (ref VBuffer<float> value) =>
        {
            ReadOnlySpan<float> p = source.Current;
            var editor = VBufferEditor.Create(ref value, p.Length);
            p.CopyTo(editor.Values);
            value = editor.Commit();
        };
        ValueGetter<uint> predicted = (ref uint value) => value = (uint)ClassScores.ArgMax(source.Current) + 1;
        return [score, predicted];
    }

    /// <summary>The probabilities of the row a cursor or row is on.</summary>
    private abstract class RowScores
    {
        public abstract ReadOnlySpan<float> Current { get; }
    }

    /// <summary>Computed from the row's own pixels when first asked for, and kept until the row moves.</summary>
    private sealed class NetworkScores(IBatchScorer scorer, DataViewRow row, ValueGetter<VBuffer<float>> pixels) : RowScores
    {
        private readonly float[] _pixels = new float[CharacterTile.PixelCount];
        private readonly float[] _probabilities = new float[scorer.ClassNames.Count];
        private long _scored = -1;
        private VBuffer<float> _buffer;

        public override ReadOnlySpan<float> Current
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

    private sealed class StoredScores(float[] probabilities, int classes, ValueGetter<DataViewRowId> id) : RowScores
    {
        private DataViewRowId _id;

        public override ReadOnlySpan<float> Current
        {
            get
            {
                id(ref _id);
                return probabilities.AsSpan(checked((int)_id.Low * classes), classes);
            }
        }
    }
}
