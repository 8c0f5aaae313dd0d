namespace Hcr.MLNet.Native;

/// <summary>Where TorchSharp runs the network.</summary>
public enum ComputeDevice
{
    /// <summary>CUDA when TorchSharp reports a usable GPU (a TorchSharp CUDA package is referenced and a driver is present), else CPU.</summary>
    Auto,

    /// <summary>The CPU, with the libtorch CPU backend.</summary>
    Cpu,

    /// <summary>The first CUDA GPU; an error where none is usable.</summary>
    Cuda,
}
