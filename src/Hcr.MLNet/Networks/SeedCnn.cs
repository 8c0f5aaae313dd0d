using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Hcr.MLNet.Networks;

/// <summary>
/// Exactly the seed notebook's network: Conv2D 128 filters 5×5 'same' + ReLU, MaxPool 2×2 stride 2,
/// Conv2D 64 filters 3×3 'same' + ReLU, MaxPool 2×2, Flatten, Dense 128 + ReLU, Dropout 0.5, Dense
/// classes (+ softmax, applied outside the network). About 0.5 M parameters, 17 M multiply-adds per image.
/// </summary>
internal sealed class SeedCnn : CnnArchitecture
{
    /// <inheritdoc />
    public override string Name => "seed";

    /// <inheritdoc />
    public override string Description => "Seed notebook CNN: Conv128@5x5-pool-Conv64@3x3-pool-Dense128-Dropout0.5";

    /// <inheritdoc />
    public override Module<Tensor, Tensor> CreateNetwork(int classCount) => Sequential(
        ("conv1", Conv2d(1, 128, kernel_size: 5, padding: 2)),
        ("relu1", ReLU()),
        ("pool1", MaxPool2d(kernel_size: 2, stride: 2)),
        ("conv2", Conv2d(128, 64, kernel_size: 3, padding: 1)),
        ("relu2", ReLU()),
        ("pool2", MaxPool2d(kernel_size: 2, stride: 2)),
        ("flatten", Flatten()),
        ("dense", Linear(64 * 7 * 7, 128)),
        ("relu3", ReLU()),
        ("dropout", Dropout(0.5)),
        ("output", Linear(128, classCount)));
}
