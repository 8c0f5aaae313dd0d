namespace Hcr.MLNet.Training;

/// <summary>The optimizer that updates the network's weights.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma &amp; Ba), with L2 weight decay added to the gradient; the seed notebook's optimizer.</summary>
    Adam,

    /// <summary>AdamW: Adam with decoupled weight decay (Loshchilov &amp; Hutter).</summary>
    AdamW,

    /// <summary>Stochastic gradient descent with Nesterov momentum 0.9.</summary>
    Sgd,
}
