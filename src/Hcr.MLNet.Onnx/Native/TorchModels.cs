using System.Diagnostics.CodeAnalysis;

namespace Hcr.MLNet.Native;

/// <summary>
/// Finds what the core asks of the training assembly (Hcr.MLNet.dll, package Hcr.MLNet) when a <c>.hcr</c> or
/// <c>.hcrtext</c> file is loaded: the TorchSharp network of an entry the core has already found, sized and checksummed
/// (<c>Scoring.ITorchCnnLoader</c>, <c>Text.ITorchTextLoader</c>). Implemented there by <c>Hcr.MLNet.TorchModelLoader</c>,
/// which the core finds by name, so that the core names no TorchSharp type; without it, says which package to add.
/// </summary>
internal static class TorchModels
{
    /// <summary>The package that brings the training assembly, TorchSharp and libtorch.</summary>
    public const string TrainingPackage = "Hcr.MLNet";

    /// <summary>The implementation's assembly-qualified name.</summary>
    public const string LoaderTypeName = "Hcr.MLNet.TorchModelLoader, Hcr.MLNet";

    private static readonly Lazy<object?> Loader = new(Find);

    /// <summary>The training assembly's loader, as the <typeparamref name="T"/> it implements.</summary>
    /// <exception cref="TorchRuntimeException">The application does not have the training assembly (it references Hcr.MLNet.Onnx alone).</exception>
    public static T Require<T>() where T : class => Loader.Value as T ?? throw Missing();

    /// <summary>The error an application without the training assembly gets where it needs it.</summary>
    public static TorchRuntimeException Missing(Exception? inner = null) => new(
        "Training, fine-tuning, .hcr and .hcrtext models and TorchSharp scoring need TorchSharp and libtorch, which " +
        "this application does not have: it references Hcr.MLNet.Onnx, which predicts with ONNX Runtime only. Add the " +
        $"'{TrainingPackage}' package (dotnet add package {TrainingPackage}), or load an exported .onnx model instead.", inner);

    // Kept by the trimmer when the training assembly is published with the application.
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, "Hcr.MLNet.TorchModelLoader", "Hcr.MLNet")]
    private static object? Find()
    {
        Type? type;
        try
        {
            type = Type.GetType(LoaderTypeName, throwOnError: false);
        }
        catch (Exception e) when (e is FileLoadException or BadImageFormatException)
        {
            return null;
        }
        return type is null ? null : Activator.CreateInstance(type);
    }
}
