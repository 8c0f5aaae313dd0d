using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Scoring;

/// <summary>
/// The columns a scoring transformer adds, as ML.NET's multiclass trainers name and annotate them:
/// <c>Score</c> (probabilities, with the class names as slot names) and <c>PredictedLabel</c> (a key of
/// the label's type, with the class names as key values, so that <c>MapKeyToValue</c> gives them back).
/// </summary>
internal static class ScoringSchema
{
    public const string Score = "Score";
    public const string PredictedLabel = "PredictedLabel";

    public static DataViewSchema Build(DataViewSchema input, IReadOnlyList<string> classNames)
    {
        int count = classNames.Count;
        var names = new VBuffer<ReadOnlyMemory<char>>(count, classNames.Select(n => n.AsMemory()).ToArray());
        var textVector = new VectorDataViewType(TextDataViewType.Instance, count);

        var scoreAnnotations = new DataViewSchema.Annotations.Builder();
        scoreAnnotations.Add("SlotNames", textVector, (ref VBuffer<ReadOnlyMemory<char>> value) => names.CopyTo(ref value));
        scoreAnnotations.AddPrimitiveValue("ScoreColumnKind", TextDataViewType.Instance, "MulticlassClassification".AsMemory());
        scoreAnnotations.AddPrimitiveValue("ScoreValueKind", TextDataViewType.Instance, "Score".AsMemory());

        var keyAnnotations = new DataViewSchema.Annotations.Builder();
        keyAnnotations.Add("KeyValues", textVector, (ref VBuffer<ReadOnlyMemory<char>> value) => names.CopyTo(ref value));

        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        builder.AddColumn(Score, new VectorDataViewType(NumberDataViewType.Single, count), scoreAnnotations.ToAnnotations());
        builder.AddColumn(PredictedLabel, new KeyDataViewType(typeof(uint), count), keyAnnotations.ToAnnotations());
        return builder.ToSchema();
    }
}
