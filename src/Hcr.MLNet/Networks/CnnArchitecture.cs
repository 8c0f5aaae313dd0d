using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Networks;

/// <summary>
/// A convolutional network design for 28×28 grey character images. Each design is one class that
/// builds its network from standard TorchSharp layers; the trainer only asks it for a network, so a
/// new design needs no change to the trainer. Networks take <c>[N, 1, 28, 28]</c> pixels in 0..1 and
/// return <c>[N, classes]</c> logits (softmax is applied by the caller).
/// </summary>
public abstract class CnnArchitecture
{
    /// <summary>The network of the original Keras notebook: Conv 128@5×5 → pool → Conv 64@3×3 → pool → Dense 128 → Dropout 0.5 → Dense.</summary>
    /// <exception cref="Native.TorchRuntimeException">The application has no TorchSharp (it references Hcr.MLNet.Onnx only).</exception>
    public static CnnArchitecture Seed => Designs.Seed;

    /// <summary>The default: a modern small network with batch norm, chosen by measurement (see <see cref="StandardCnn"/>).</summary>
    /// <exception cref="Native.TorchRuntimeException">The application has no TorchSharp (it references Hcr.MLNet.Onnx only).</exception>
    public static CnnArchitecture Standard => Designs.Standard;

    /// <summary>A stable name, stored in saved models to rebuild the network when loading.</summary>
    public abstract string Name { get; }

    /// <summary>A one-line description for logs and reports.</summary>
    public abstract string Description { get; }

    /// <summary>Builds a freshly initialised network for <paramref name="classCount"/> classes.</summary>
    public abstract nn.Module<Tensor, Tensor> CreateNetwork(int classCount);

    /// <inheritdoc />
    public override string ToString() => Name;

    private static ConcurrentDictionary<string, CnnArchitecture> Registry => Designs.Registry;

    /// <summary>The built-in designs and the registry, created on first use.</summary>
    private static BuiltInDesigns Designs => BuiltInDesigns.Instance;

    private sealed class BuiltInDesigns
    {
        public static readonly BuiltInDesigns Instance = new();

        public CnnArchitecture Seed { get; } = new SeedCnn();

        public CnnArchitecture Standard { get; } = new StandardCnn();

        public ConcurrentDictionary<string, CnnArchitecture> Registry { get; }

        private BuiltInDesigns() =>
            Registry = new(new Dictionary<string, CnnArchitecture> { [Seed.Name] = Seed, [Standard.Name] = Standard }, StringComparer.Ordinal);
    }

    /// <summary>
    /// Makes a custom design known by its <see cref="Name"/>, so that saved models that use it can be
    /// loaded. The built-in designs are always known.
    /// </summary>
    /// <exception cref="ArgumentException">Another design is registered under the same name.</exception>
    public static void Register(CnnArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        CnnArchitecture known = Registry.GetOrAdd(architecture.Name, architecture);
        if (!ReferenceEquals(known, architecture) && known.GetType() != architecture.GetType())
            throw new ArgumentException($"Another architecture ({known.GetType().Name}) is registered as '{architecture.Name}'.", nameof(architecture));
    }

    /// <summary>The design registered under <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No design has that name.</exception>
    public static CnnArchitecture FromName(string name) =>
        Registry.TryGetValue(name, out CnnArchitecture? architecture) ? architecture
            : throw new KeyNotFoundException($"No CNN architecture is named '{name}' (known: {string.Join(", ", Registry.Keys.Order())}); register custom ones with CnnArchitecture.Register.");
}
