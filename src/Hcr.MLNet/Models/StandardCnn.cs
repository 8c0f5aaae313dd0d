using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Hcr.MLNet.Models;

/// <summary>
/// The default network: a small VGG-style stack with batch norm. Three stages of 3×3 convolutions
/// (32, 64, 128 channels) with max pooling between them, then a dense layer with dropout.
/// </summary>
public sealed class StandardCnn : CnnArchitecture
{
    /// <inheritdoc />
    public override string Name => "standard";

    /// <inheritdoc />
    public override string Description => "Standard CNN: 2x Conv32-BN, pool, 2x Conv64-BN, pool, Conv128-BN, pool, Dense256-BN-Dropout";

    /// <inheritdoc />
    public override Module<Tensor, Tensor> CreateNetwork(int classCount) => Sequential(
        ("conv1a", Conv2d(1, 32, 3, padding: 1, bias: false)), ("bn1a", BatchNorm2d(32)), ("relu1a", ReLU()),
        ("conv1b", Conv2d(32, 32, 3, padding: 1, bias: false)), ("bn1b", BatchNorm2d(32)), ("relu1b", ReLU()),
        ("pool1", MaxPool2d(2, 2)),
        ("conv2a", Conv2d(32, 64, 3, padding: 1, bias: false)), ("bn2a", BatchNorm2d(64)), ("relu2a", ReLU()),
        ("conv2b", Conv2d(64, 64, 3, padding: 1, bias: false)), ("bn2b", BatchNorm2d(64)), ("relu2b", ReLU()),
        ("pool2", MaxPool2d(2, 2)),
        ("conv3", Conv2d(64, 128, 3, padding: 1, bias: false)), ("bn3", BatchNorm2d(128)), ("relu3", ReLU()),
        ("pool3", MaxPool2d(2, 2)),
        ("flatten", Flatten()),
        ("dropout1", Dropout(0.3)),
        ("dense", Linear(128 * 3 * 3, 256, hasBias: false)), ("bn4", BatchNorm1d(256)), ("relu4", ReLU()),
        ("dropout2", Dropout(0.3)),
        ("output", Linear(256, classCount)));
}
