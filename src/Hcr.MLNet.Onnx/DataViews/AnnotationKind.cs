namespace Hcr.MLNet.DataViews;

/// <summary>The names ML.NET gives column annotations (its own constants are internal).</summary>
internal static class AnnotationKind
{
    /// <summary>A key column's values, as text: the class names.</summary>
    public const string KeyValues = "KeyValues";

    /// <summary>A vector column's slot names: the class names of a score vector.</summary>
    public const string SlotNames = "SlotNames";

    /// <summary>What a score column scores (<c>MulticlassClassification</c>): how ML.NET's evaluators find it.</summary>
    public const string ScoreColumnKind = "ScoreColumnKind";

    /// <summary>What a score column's values are (<c>Score</c>).</summary>
    public const string ScoreValueKind = "ScoreValueKind";
}
