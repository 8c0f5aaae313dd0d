using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Training;

/// <summary>Builds the optimizer the options ask for over a network's parameters.</summary>
internal static class OptimizerFactory
{
    public static TorchSharp.Modules.OptimizerHelper Create(HandwritingCnnOptions options, nn.Module network) => Create(options, network.parameters());

    /// <summary>The optimizer over <paramref name="parameters"/> only (fine-tuning leaves frozen layers out).</summary>
    public static TorchSharp.Modules.OptimizerHelper Create(HandwritingCnnOptions options, IEnumerable<TorchSharp.Modules.Parameter> parameters) => options.Optimizer switch
    {
        OptimizerKind.Adam => optim.Adam(parameters, options.LearningRate, weight_decay: options.WeightDecay),
        OptimizerKind.AdamW => optim.AdamW(parameters, options.LearningRate, weight_decay: options.WeightDecay),
        OptimizerKind.Sgd => optim.SGD(parameters, options.LearningRate, momentum: 0.9, nesterov: true, weight_decay: options.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Optimizer, "Unknown optimizer."),
    };
}
