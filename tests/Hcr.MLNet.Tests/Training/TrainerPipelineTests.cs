using Hcr.MLNet.Networks;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hcr.MLNet.Tests.Training;

public class TrainerPipelineTests
{
    private sealed class Prediction
    {
        public string PredictedCharacter { get; set; } = "";

        public float[] Score { get; set; } = [];
    }

    private sealed class Input
    {
        [VectorType(784)]
        public float[] Pixels { get; set; } = [];
    }

    [SlowFact]
    public void Trains_through_an_MLNet_pipeline_and_evaluates_with_MLNets_evaluator()
    {
        var ml = new MLContext(seed: 1);
        var pipeline = SyntheticGlyphs.Preprocessing(ml)
            .Append(ml.MulticlassClassification.Trainers.HandwritingCnn(TrainerFixture.Quick()))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedCharacter", "PredictedLabel"));
        var model = pipeline.Fit(SyntheticGlyphs.Create(60).ToDataView(ml));

        var test = SyntheticGlyphs.Create(30, seed: 99);
        IDataView scored = model.Transform(test.ToDataView(ml));
        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(scored);

        Assert.True(metrics.MicroAccuracy > 0.95, $"accuracy {metrics.MicroAccuracy}");
        Assert.True(metrics.LogLoss < 0.3, $"log-loss {metrics.LogLoss}");
        Assert.Equal(4, metrics.ConfusionMatrix.NumberOfClasses);
        string[] truth = Enumerable.Range(0, test.Count).Select(i => test.GetCharacter(i).ToString()).ToArray();
        string[] predicted = scored.GetColumn<string>("PredictedCharacter").ToArray();
        Assert.All(predicted, p => Assert.Contains(p, SyntheticGlyphs.FourClasses));
        Assert.True(truth.Zip(predicted).Count(p => p.First == p.Second) > 0.95 * truth.Length);
    }

    [SlowFact]
    public void Output_columns_follow_MLNets_multiclass_conventions()
    {
        using HandwritingCnnTransformer model = TrainerFixture.Train(TrainerFixture.Quick(epochs: 1));
        var ml = new MLContext();
        (IDataView view, _) = TrainerFixture.Prepare(ml, SyntheticGlyphs.Create(3));
        DataViewSchema schema = model.Transform(view).Schema;

        var score = Assert.IsType<VectorDataViewType>(schema["Score"].Type);
        Assert.Equal(4, score.Size);
        VBuffer<ReadOnlyMemory<char>> slots = default;
        schema["Score"].GetSlotNames(ref slots);
        Assert.Equal(["D", "H", "O", "V"], slots.DenseValues().Select(s => s.ToString()));
        var key = Assert.IsType<KeyDataViewType>(schema["PredictedLabel"].Type);
        Assert.Equal(schema["Label"].Type, key);
        Assert.Equal(["D", "H", "O", "V"], model.ClassNames);

        float[][] scores = model.Transform(view).GetColumn<float[]>("Score").ToArray();
        Assert.All(scores, s => Assert.Equal(1f, s.Sum(), 3));
    }

    [SlowFact]
    public void PredictionEngine_works_and_agrees_with_batched_Transform()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticGlyphs.Create(40);
        (IDataView view, ITransformer preprocessing) = TrainerFixture.Prepare(ml, data);
        using HandwritingCnnTransformer cnn = ml.MulticlassClassification.Trainers.HandwritingCnn(TrainerFixture.Quick()).Fit(view);
        ITransformer chain = ml.Transforms.Expression("Pixels", "x => x / 255", "Pixels").Fit(ml.Data.LoadFromEnumerable<Input>([]))
            .Append(cnn)
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedCharacter", "PredictedLabel").Fit(cnn.Transform(view)));

        var engine = ml.Model.CreatePredictionEngine<Input, Prediction>(chain);
        float[][] batched = cnn.Transform(view).GetColumn<float[]>("Score").ToArray();
        for (int i = 0; i < 20; i++)
        {
            float[] pixels = data.GetImage(i).ToArray().Select(b => (float)b).ToArray();
            Prediction p = engine.Predict(new Input { Pixels = pixels });
            Assert.Equal(data.GetCharacter(i).ToString(), p.PredictedCharacter);
            Assert.Equal(batched[i], p.Score, (a, b) => Math.Abs(a - b) < 1e-5);
        }
    }

    [SlowFact]
    public void Shuffled_cursors_score_row_by_row_with_the_same_results()
    {
        using HandwritingCnnTransformer model = TrainerFixture.Train(TrainerFixture.Quick(epochs: 1));
        var ml = new MLContext(seed: 5);
        (IDataView view, _) = TrainerFixture.Prepare(ml, SyntheticGlyphs.Create(300));
        IDataView scored = model.Transform(view);
        var byRow = scored.GetColumn<float[]>("Score").ToArray();
        var pixels = scored.GetColumn<float[]>("Pixels").ToArray();

        var shuffled = ml.Data.ShuffleRows(scored);
        foreach ((float[] p, float[] s) in shuffled.GetColumn<float[]>("Pixels").Zip(shuffled.GetColumn<float[]>("Score")).Take(50))
        {
            int original = Array.FindIndex(pixels, q => q.SequenceEqual(p));
            Assert.Equal(byRow[original], s, (a, b) => Math.Abs(a - b) < 1e-5);
        }
        Assert.Equal(1200, byRow.Length);
    }

    [SlowFact]
    public void History_records_every_epoch_with_validation_when_held_out()
    {
        HandwritingCnnOptions options = TrainerFixture.Quick(epochs: 3);
        options.ValidationFraction = 0.2;
        using HandwritingCnnTransformer model = TrainerFixture.Train(options);
        Assert.Equal([1, 2, 3], model.History.Select(h => h.Epoch));
        Assert.All(model.History, h =>
        {
            Assert.NotNull(h.ValidationAccuracy);
            Assert.NotNull(h.ValidationMacroAccuracy);
            Assert.True(h.ImagesPerSecond > 0);
            Assert.True(h.PeakWorkingSetBytes > 0);
        });
        Assert.True(model.History[^1].TrainLoss < model.History[0].TrainLoss);
    }

    [SlowFact]
    public void Seed_architecture_is_exactly_the_notebook_network()
    {
        using var network = CnnArchitecture.Seed.CreateNetwork(47);
        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        Assert.Equal([128, 1, 5, 5], parameters["conv1.weight"]);
        Assert.Equal([64, 128, 3, 3], parameters["conv2.weight"]);
        Assert.Equal([128, 64 * 7 * 7], parameters["dense.weight"]);
        Assert.Equal([47, 128], parameters["output.weight"]);
        Assert.Equal(484_719, network.parameters().Sum(p => p.numel()));
        using var output = network.call(TorchSharp.torch.zeros(2, 1, 28, 28));
        Assert.Equal([2, 47], output.shape);
    }

    [SlowFact]
    public void Architectures_are_found_by_name_and_custom_ones_can_be_registered()
    {
        Assert.Same(CnnArchitecture.Seed, CnnArchitecture.FromName("seed"));
        Assert.Same(CnnArchitecture.Standard, CnnArchitecture.FromName("standard"));
        Assert.Throws<KeyNotFoundException>(() => CnnArchitecture.FromName("no-such-net"));
    }
}
