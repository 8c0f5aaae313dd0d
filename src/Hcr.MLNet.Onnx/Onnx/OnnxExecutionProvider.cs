namespace Hcr.MLNet.Onnx;

/// <summary>Where ONNX Runtime runs a model (<see cref="OnnxScoringOptions.ExecutionProvider"/>).</summary>
public enum OnnxExecutionProvider
{
    /// <summary>The CPU: always available, with the <c>Microsoft.ML.OnnxRuntime</c> package Hcr.MLNet depends on.</summary>
    Cpu,

    /// <summary>An NVIDIA GPU through CUDA: needs the <c>Microsoft.ML.OnnxRuntime.Gpu</c> package, CUDA and cuDNN.</summary>
    Cuda,

    /// <summary>A DirectX 12 GPU through DirectML, on Windows: needs the <c>Microsoft.ML.OnnxRuntime.DirectML</c> package.</summary>
    DirectML,
}
