using System.Reflection;
using Hcr.MLNet;
using Hcr.MLNet.Networks;
using Hcr.MLNet.Training;
using Microsoft.ML.Runtime;
using Hcr.MLNet.DataViews;

// In ML.NET's namespace, as ML.NET's own catalog extensions are, so that `using Microsoft.ML;` alone shows them.
namespace Microsoft.ML;

/// <summary>Adds the handwriting CNN trainer to <c>mlContext.MulticlassClassification.Trainers</c>.</summary>
public static class HandwritingCnnCatalog
{
    /// <summary>Creates a <see cref="HandwritingCnnTrainer"/> with the given options.</summary>
    public static HandwritingCnnTrainer HandwritingCnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, HandwritingCnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new HandwritingCnnTrainer(EnvironmentOf(catalog), options);
    }

    /// <summary>Creates a <see cref="HandwritingCnnTrainer"/> with the Standard recipe.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">The key-typed label column.</param>
    /// <param name="pixelsColumnName">The column of 784 floats in 0..1.</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="architecture">The network; null for <see cref="CnnArchitecture.Standard"/>.</param>
    public static HandwritingCnnTrainer HandwritingCnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = HcrColumns.Label, string pixelsColumnName = HcrColumns.Pixels, int epochs = 12, CnnArchitecture? architecture = null) =>
        catalog.HandwritingCnn(new HandwritingCnnOptions
        {
            LabelColumnName = labelColumnName,
            PixelsColumnName = pixelsColumnName,
            Epochs = epochs,
            Architecture = architecture ?? CnnArchitecture.Standard,
        });

    /// <summary>
    /// The ML.NET context behind a catalog, whose log the trainer writes to. ML.NET keeps it behind an
    /// internal interface (its own trainers reach it as friends); a test guards this lookup.
    /// </summary>
    internal static IHostEnvironment EnvironmentOf(object catalog)
    {
        Type? internalCatalog = catalog.GetType().GetInterfaces().FirstOrDefault(i => i.Name == "IInternalCatalog");
        if (internalCatalog?.GetProperty("Environment", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                ?.GetValue(catalog) is IHostEnvironment environment)
        {
            return environment;
        }
        throw new InvalidOperationException(
            "This version of ML.NET does not expose its context to catalog extensions; create the trainer with new HandwritingCnnTrainer(mlContext, options).");
    }
}
