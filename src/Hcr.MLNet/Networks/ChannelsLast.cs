using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Hcr.MLNet.Networks;

/// <summary>
/// Numerically the identity: stores the activations it receives in channels-last order (NHWC
/// strides behind the same [N, C, H, W] shape), which the layers after it keep. On the CPU,
/// libtorch's batch norm, ReLU and max pooling kernels are vectorized over channels only in that
/// order (NCHW max pooling alone costs more than a 3×3 convolution here), and oneDNN convolutions
/// keep the order of their input. It belongs after the first convolution: a one-channel image has
/// the same strides in both orders, so libtorch reads it as NCHW and the first layer cannot set
/// the order itself. Weights stay in their usual order, so saving, loading and ONNX export (where
/// this layer is skipped) are unaffected.
/// </summary>
internal sealed class ChannelsLast : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer (it has no parameters).</summary>
    public ChannelsLast() : base(nameof(ChannelsLast))
    {
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4)
            throw new ArgumentException($"ChannelsLast expects [N, C, H, W] activations but received {input.dim()} dimensions.", nameof(input));
        // permute → NHWC, contiguous → NHWC storage, permute back → NCHW shape over NHWC storage.
        return input.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
    }
}
