namespace Hcr.MLNet.Training;

/// <summary>The validation figure that early stopping watches.</summary>
public enum EarlyStoppingMetric
{
    /// <summary>Validation loss (cross-entropy): lower is better.</summary>
    ValidationLoss,

    /// <summary>Validation accuracy: higher is better.</summary>
    ValidationAccuracy,
}
