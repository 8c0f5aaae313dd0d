using Hcr.MLNet.Training;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Hcr.MLNet.Tests.Training;

/// <summary>
/// <c>mlContext.MulticlassClassification.Trainers.HandwritingCnn</c> reaches the context behind the catalog
/// through ML.NET's internal <c>IInternalCatalog</c> (there is no public way); this fails loudly when an
/// ML.NET upgrade moves it, instead of the trainer silently logging nowhere.
/// </summary>
public class CatalogTests
{
    [Fact]
    public void Catalog_extension_finds_the_contexts_environment_and_logs_to_it()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };

        IHostEnvironment environment = HandwritingCnnCatalog.EnvironmentOf(ml.MulticlassClassification.Trainers);
        using (IChannel channel = environment.Start("catalog-probe"))
            channel.Info(MessageSensitivity.None, "reached through the catalog");

        lock (messages)
            Assert.Contains(messages, m => m.Contains("reached through the catalog", StringComparison.Ordinal));
    }

    [Fact]
    public void Catalog_extension_creates_a_trainer_bound_to_the_context()
    {
        var ml = new MLContext(seed: 1);
        HandwritingCnnTrainer trainer = ml.MulticlassClassification.Trainers.HandwritingCnn(epochs: 1);
        Assert.Equal(1, trainer.Options.Epochs);
    }

    [Fact]
    public void An_object_without_MLNets_internal_catalog_is_refused_with_a_hint()
    {
        var e = Assert.Throws<InvalidOperationException>(() => HandwritingCnnCatalog.EnvironmentOf(new object()));
        Assert.Contains("new HandwritingCnnTrainer(mlContext, options)", e.Message, StringComparison.Ordinal);
    }
}
