namespace Hcr.MLNet.DataViews;

// In the root namespace, beside HandwritingRecognizer, where users look for it; in DataViews because
// every folder names these columns and DataViews depends on no other folder (hence <c> rather than crefs).

/// <summary>
/// The names of the ML.NET columns the library reads and writes, for pipelines built around it: what
/// <c>EmnistDataset.ToDataView</c> gives, what <c>HandwritingRecognizer.Pipeline</c>
/// and <c>HandwritingRecognizer.ImagePipeline</c> read and add, and the defaults of the trainer
/// and the network transformers.
/// </summary>
public static class HcrColumns
{
    /// <summary><c>Pixels</c>: one 28×28 grey image per row, 784 Single values row-major (0..255 as EMNIST stores them, 0..1 where a network reads them).</summary>
    public const string Pixels = "Pixels";

    /// <summary><c>Label</c>: the character (text in EMNIST's view, a key where a trainer or evaluator reads it).</summary>
    public const string Label = "Label";

    /// <summary><c>Score</c>: the class probabilities a network adds, with the class names as slot names (ML.NET's multiclass convention).</summary>
    public const string Score = "Score";

    /// <summary><c>PredictedLabel</c>: the most probable class as a key, with the class names as key values (ML.NET's multiclass convention).</summary>
    public const string PredictedLabel = "PredictedLabel";

    /// <summary><c>PredictedCharacter</c>: the most probable class as text, added by <c>HandwritingRecognizer.Pipeline</c>.</summary>
    public const string PredictedCharacter = "PredictedCharacter";

    /// <summary><c>Image</c>: the photo or scan <c>HandwritingRecognizer.ImagePipeline</c> reads (an <c>MLImage</c> of any size).</summary>
    public const string Image = "Image";
}
