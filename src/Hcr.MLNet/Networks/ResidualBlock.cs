using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Hcr.MLNet.Networks;

/// <summary>
/// A basic residual block (He et al.): two 3×3 convolutions with batch norm, added to the input (or
/// to a 1×1 projection of it when the width changes), then ReLU.
/// </summary>
internal sealed class ResidualBlock : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> conv1, bn1, conv2, bn2;
    private readonly Module<Tensor, Tensor>? shortcut;

    /// <summary>Creates a block from <paramref name="inChannels"/> to <paramref name="outChannels"/> channels.</summary>
    public ResidualBlock(long inChannels, long outChannels) : base(nameof(ResidualBlock))
    {
        conv1 = Conv2d(inChannels, outChannels, 3, padding: 1, bias: false);
        bn1 = BatchNorm2d(outChannels);
        conv2 = Conv2d(outChannels, outChannels, 3, padding: 1, bias: false);
        bn2 = BatchNorm2d(outChannels);
        if (inChannels != outChannels)
            shortcut = Sequential(("conv", Conv2d(inChannels, outChannels, 1, bias: false)), ("bn", BatchNorm2d(outChannels)));
        RegisterComponents();
    }

    /// <summary>The main branch's layers, in order: conv1, bn1, conv2, bn2 (ReLU after bn1).</summary>
    internal IReadOnlyList<Module<Tensor, Tensor>> Branch => [conv1, bn1, conv2, bn2];

    /// <summary>The projection of the input (conv 1×1 + batch norm), or null for the identity.</summary>
    internal Module<Tensor, Tensor>? Shortcut => shortcut;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor branch = bn2.call(conv2.call(functional.relu(bn1.call(conv1.call(input)))));
        Tensor identity = shortcut is null ? input : shortcut.call(input);
        return functional.relu(branch + identity).MoveToOuterDisposeScope();
    }
}
