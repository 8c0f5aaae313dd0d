using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Training;

/// <summary>
/// Where a fine-tuning run starts: the trained network whose weights the new network copies before its
/// first step, and whether the feature layers (everything but the output layer) stay as they are. The
/// base network is only read: its tensors are copied, never trained or moved.
/// </summary>
internal sealed class FineTuningStart(HandwritingCnnTransformer baseNetwork, bool freezeFeatures)
{
    /// <summary>The name of the classifier layer every built-in architecture ends with; its rows are per class.</summary>
    public const string OutputLayer = "output";

    public HandwritingCnnTransformer Base { get; } = baseNetwork;

    public bool FreezeFeatures { get; } = freezeFeatures;

    private static bool IsOutput(string name) => name.StartsWith(OutputLayer + ".", StringComparison.Ordinal);

    /// <summary>
    /// Copies the base weights into <paramref name="network"/>, freshly built for <paramref name="classNames"/>:
    /// every feature tensor whole, and of the output layer the rows of the classes the base knows (matched by
    /// name, so a different class order is fine); the rows of new classes keep their random initialisation.
    /// Then, when freezing, stops gradients to the feature layers.
    /// </summary>
    public void Apply(nn.Module<Tensor, Tensor> network, IReadOnlyList<string> classNames)
    {
        Dictionary<string, Tensor> source = Base.Network.state_dict();
        Dictionary<string, Tensor> target = network.state_dict();
        if (!target.Keys.Any(IsOutput))
        {
            throw new NotSupportedException(
                $"Fine-tuning needs the network's classifier layer to be named '{OutputLayer}' (as in the built-in architectures); " +
                $"{Base.Architecture.Name} has no such layer.");
        }
        var baseRow = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Base.ClassNames.Count; i++)
            baseRow[Base.ClassNames[i]] = i;

        using var noGrad = torch.no_grad();
        foreach ((string name, Tensor to) in target)
        {
            if (!source.TryGetValue(name, out Tensor? from))
                throw new InvalidOperationException($"The base network has no tensor '{name}'; it was built by another architecture than {Base.Architecture.Name}.");
            if (!IsOutput(name))
            {
                if (!from.shape.SequenceEqual(to.shape))
                    throw new InvalidOperationException($"Tensor '{name}' is [{string.Join(", ", from.shape)}] in the base network but [{string.Join(", ", to.shape)}] in the new one.");
                to.copy_(from);
                continue;
            }
            for (int row = 0; row < classNames.Count; row++)
            {
                if (!baseRow.TryGetValue(classNames[row], out int fromRow))
                    continue;
                using var scope = torch.NewDisposeScope();
                to[row].copy_(from[fromRow]);
            }
        }

        if (FreezeFeatures)
        {
            foreach ((string name, TorchSharp.Modules.Parameter parameter) in network.named_parameters())
                parameter.requires_grad = IsOutput(name);
        }
    }

    /// <summary>
    /// Called after every <c>network.train()</c>: frozen batch-norm layers go back to evaluation mode, so
    /// that their running statistics stay the base network's (freezing the weights alone would still let
    /// the small fine-tuning batches overwrite them). Dropout keeps training, as a regulariser of the head.
    /// </summary>
    public void KeepFrozenStatistics(nn.Module<Tensor, Tensor> network)
    {
        if (!FreezeFeatures)
            return;
        foreach ((string name, nn.Module module) in network.named_modules())
        {
            if (module is TorchSharp.Modules.BatchNorm && !name.StartsWith(OutputLayer, StringComparison.Ordinal))
                module.eval();
        }
    }
}
