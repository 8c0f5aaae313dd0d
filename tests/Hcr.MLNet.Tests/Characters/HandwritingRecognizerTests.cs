using Hcr.MLNet.Data;
using Hcr.MLNet.IO;
using Hcr.MLNet.Tests.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;
using Hcr.MLNet.DataViews;

namespace Hcr.MLNet.Tests.Characters;

public class HandwritingRecognizerTests(RecognizerFixture fixture) : IClassFixture<RecognizerFixture>
{
    private HandwritingRecognizer Recognizer => fixture.Recognizer;

    [SlowFact]
    public void Training_with_test_data_evaluates_it()
    {
        RecognizerEvaluation? evaluation = Recognizer.TestEvaluation;
        Assert.NotNull(evaluation);
        Assert.Equal(fixture.Test.Count, evaluation.Count);
        Assert.True(evaluation.Accuracy > 0.9, evaluation.ToString());
        Assert.Equal(fixture.Train.Classes, Recognizer.Classes);
    }

    [SlowFact]
    public void PredictTile_reads_characters_with_ranked_candidates()
    {
        int correct = 0;
        for (int i = 0; i < fixture.Test.Count; i++)
        {
            CharacterPrediction p = Recognizer.PredictTile(fixture.Test.GetImage(i));
            if (p.Character == fixture.Test.GetCharacter(i))
                correct++;
            IReadOnlyList<CharacterCandidate> top = p.Top(3);
            Assert.Equal(p.Character, top[0].Character);
            Assert.Equal(p.Confidence, top[0].Probability);
            Assert.True(top[0].Probability >= top[1].Probability && top[1].Probability >= top[2].Probability);
            Assert.Equal(1f, p.Probabilities.Sum(), 3);
            Assert.Equal(fixture.Test.GetImage(i).ToArray(), p.NetworkInput.ToArray());
        }
        Assert.True(correct > 0.9 * fixture.Test.Count, $"{correct} of {fixture.Test.Count}");
        Assert.Throws<ArgumentException>(() => Recognizer.PredictTile(new byte[100]));
    }

    [SlowFact]
    public void Batch_predictions_equal_single_predictions()
    {
        IReadOnlyList<CharacterPrediction> batch = Recognizer.PredictTiles(fixture.Test);
        Assert.Equal(fixture.Test.Count, batch.Count);
        for (int i = 0; i < batch.Count; i += 7)
        {
            CharacterPrediction single = Recognizer.PredictTile(fixture.Test.GetImage(i));
            Assert.Equal(single.Character, batch[i].Character);
            Assert.Equal(single.Probabilities, batch[i].Probabilities, (a, b) => Math.Abs(a - b) < 1e-5);
        }
    }

    [SlowFact]
    public void Evaluation_is_built_on_MLNets_evaluator_and_adds_per_class_views()
    {
        RecognizerEvaluation e = Recognizer.Evaluate(fixture.Test);

        int[,] confusion = e.ConfusionMatrix;
        Assert.Equal(fixture.Test.Count, confusion.Cast<int>().Sum());
        int diagonal = Enumerable.Range(0, e.Classes.Count).Sum(c => confusion[c, c]);
        Assert.Equal((double)diagonal / e.Count, e.Accuracy, 6);
        Assert.Equal(e.PerClassAccuracy.Values.Average(), e.MacroAccuracy, 6);
        foreach ((char c, double accuracy) in e.PerClassAccuracy)
        {
            int index = e.Classes.ToList().IndexOf(c);
            int total = Enumerable.Range(0, e.Classes.Count).Sum(p => confusion[index, p]);
            Assert.Equal((double)confusion[index, index] / total, accuracy, 6);
        }
        IReadOnlyList<ConfusedPair> pairs = e.MostConfusedPairs(5);
        Assert.All(pairs, p => Assert.NotEqual(p.Actual, p.Predicted));
        Assert.Equal(pairs.OrderByDescending(p => p.Count).Select(p => p.Count), pairs.Select(p => p.Count));
        Assert.True(e.LogLoss > 0);
    }

    [SlowFact]
    public void Evaluating_data_with_unknown_characters_is_refused()
    {
        var other = SyntheticGlyphs.Create(2, "HZ");
        var e = Assert.Throws<ArgumentException>(() => Recognizer.Evaluate(other));
        Assert.Contains("Z", e.Message);
    }

    [SlowFact]
    public void Pipeline_is_an_ordinary_MLNet_transformer_giving_characters()
    {
        var ml = new MLContext();
        IDataView scored = Recognizer.Pipeline.Transform(fixture.Test.ToDataView(ml));
        string[] predicted = scored.GetColumn<string>("PredictedCharacter").ToArray();
        Assert.Equal(fixture.Test.Count, predicted.Length);
        int correct = predicted.Where((p, i) => p == fixture.Test.GetCharacter(i).ToString()).Count();
        Assert.True(correct > 0.9 * predicted.Length);
        Assert.IsType<KeyDataViewType>(scored.Schema["PredictedLabel"].Type);
    }

    [SlowFact]
    public void Pipeline_gives_what_PredictTile_gives_and_MLNets_evaluator_on_it_what_Evaluate_gives()
    {
        var ml = new MLContext(seed: 1);
        IDataView keyData = ml.Data.LoadFromEnumerable(Recognizer.Classes.Select(c => new { Label = c.ToString() }).ToList());
        IDataView labelled = ml.Transforms.Conversion.MapValueToKey(HcrColumns.Label, keyData: keyData).Fit(keyData)
            .Transform(fixture.Test.ToDataView(ml));
        IDataView scored = Recognizer.Pipeline.Transform(labelled);

        float[][] scores = scored.GetColumn<float[]>(HcrColumns.Score).ToArray();
        string[] characters = scored.GetColumn<string>(HcrColumns.PredictedCharacter).ToArray();
        for (int i = 0; i < fixture.Test.Count; i++)
        {
            CharacterPrediction p = Recognizer.PredictTile(fixture.Test.GetImage(i));
            Assert.Equal(p.Probabilities.ToArray(), scores[i]); // the same floats, bit for bit
            Assert.Equal(p.Character.ToString(), characters[i]);
        }

        // Evaluate scores in batches, the pipeline one row at a time: libtorch may round a batch's sums differently.
        MulticlassClassificationMetrics viaPipeline = ml.MulticlassClassification.Evaluate(scored, HcrColumns.Label);
        var progress = new RecordingProgress<EvaluationProgress>();
        RecognizerEvaluation e = Recognizer.Evaluate(fixture.Test, progress);
        Assert.Equal(viaPipeline.MicroAccuracy, e.Accuracy);
        Assert.Equal(viaPipeline.MacroAccuracy, e.MacroAccuracy);
        Assert.Equal(viaPipeline.LogLoss, e.LogLoss, 1e-6);
        Assert.Equal(viaPipeline.ConfusionMatrix.Counts, e.Metrics!.ConfusionMatrix.Counts);
        Assert.Equal(viaPipeline.ConfusionMatrix.GetFormattedConfusionTable(), e.Metrics!.ConfusionMatrix.GetFormattedConfusionTable());
        Assert.Equal([new EvaluationProgress(fixture.Test.Count, fixture.Test.Count)], progress.Reports);
    }

    [SlowFact]
    public void Evaluation_reports_progress_after_each_batch()
    {
        var progress = new RecordingProgress<EvaluationProgress>();
        RecognizerEvaluation e = Recognizer.Evaluate(fixture.Train, progress);
        int total = fixture.Train.Count;
        Assert.True(total > 256, "the training set spans two batches");
        Assert.Equal([new EvaluationProgress(256, total), new EvaluationProgress(total, total)], progress.Reports);
        Assert.Equal(1.0, progress.Reports[^1].Fraction);
        Assert.Equal(total, e.Count);
    }

    [SlowFact]
    public void Saved_recognizer_loads_in_the_same_state()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.hcr");
        Recognizer.Save(path);
        Recognizer.Save(path); // overwriting works and leaves no temporary files
        Assert.Equal([path], Directory.GetFiles(dir.Path));

        using HandwritingRecognizer loaded = HandwritingRecognizer.Load(path, Hcr.MLNet.Native.ComputeDevice.Cpu);
        Assert.Equal(Recognizer.Classes, loaded.Classes);
        Assert.Equal(Recognizer.Evaluate(fixture.Test).Accuracy, loaded.Evaluate(fixture.Test).Accuracy);
        for (int i = 0; i < 10; i++)
            Assert.Equal(Recognizer.PredictTile(fixture.Test.GetImage(i)).Probabilities, loaded.PredictTile(fixture.Test.GetImage(i)).Probabilities);

        // The test evaluation travels with the file (the demo's plot draws it without evaluating again), ML.NET's object aside.
        RecognizerEvaluation trained = Recognizer.TestEvaluation!, carried = loaded.TestEvaluation!;
        Assert.NotNull(carried);
        Assert.Null(carried.Metrics);
        Assert.Equal((trained.Count, trained.Accuracy, trained.MacroAccuracy, trained.LogLoss), (carried.Count, carried.Accuracy, carried.MacroAccuracy, carried.LogLoss));
        Assert.Equal(trained.ConfusionMatrix, carried.ConfusionMatrix);
        Assert.Equal(trained.Classes, carried.Classes);
        Assert.Equal(trained.PerClassAccuracy, carried.PerClassAccuracy);
        Assert.Equal(trained.MostConfusedPairs(), carried.MostConfusedPairs());
    }

    [SlowFact]
    public void A_damaged_saved_evaluation_is_refused()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.hcr");
        Recognizer.Save(path);
        string manifest;
        using (var zip = System.IO.Compression.ZipFile.OpenRead(path))
        using (var reader = new StreamReader(zip.GetEntry("manifest.json")!.Open()))
            manifest = reader.ReadToEnd();
        Assert.Contains("\"TestEvaluation\":{", manifest, StringComparison.Ordinal);
        // One count made negative.
        int confusion = manifest.IndexOf("\"Confusion\":[[", StringComparison.Ordinal) + "\"Confusion\":[[".Length;
        string damaged = manifest[..confusion] + "-" + manifest[confusion..];
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update))
        {
            zip.GetEntry("manifest.json")!.Delete();
            using var writer = new StreamWriter(zip.CreateEntry("manifest.json").Open());
            writer.Write(damaged);
        }
        ModelFiles.Reseal(path);
        var e = Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.Load(path));
        Assert.Contains("test evaluation", e.Message, StringComparison.Ordinal);
    }

    [SlowFact]
    public void Truncated_corrupt_foreign_or_newer_files_are_refused()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.hcr");
        Recognizer.Save(path);
        byte[] good = File.ReadAllBytes(path);

        File.WriteAllBytes(path, good[..(good.Length * 2 / 3)]);
        Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.Load(path));

        File.WriteAllBytes(path, []);
        Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.Load(path));

        File.WriteAllText(path, "not a zip");
        Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.Load(path));

        File.WriteAllBytes(path, good);
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update))
        {
            zip.GetEntry("manifest.json")!.Delete();
            using var writer = new StreamWriter(zip.CreateEntry("manifest.json").Open());
            writer.Write("{\"Format\":\"hcr-recognizer\",\"FormatVersion\":99,\"Library\":\"9.0\",\"Classes\":\"HVDOX.\",\"Architecture\":\"seed\",\"Created\":\"\"}");
        }
        ModelFiles.Reseal(path);
        var e = Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.Load(path));
        Assert.Contains("format version 99", e.Message);

        File.WriteAllBytes(path, good);
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update))
            zip.GetEntry("network.hcrcnn")!.Delete();
        ModelFiles.Reseal(path);
        Assert.Contains("network.hcrcnn", Assert.Throws<ModelFormatException>(() => HandwritingRecognizer.Load(path)).Message);

        Assert.Throws<FileNotFoundException>(() => HandwritingRecognizer.Load(dir.File("absent.hcr")));
    }

    [SlowFact]
    public void Predicting_from_several_threads_at_once_is_safe()
    {
        float[][] expected = Enumerable.Range(0, fixture.Test.Count)
            .Select(i => Recognizer.PredictTile(fixture.Test.GetImage(i)).Probabilities.ToArray()).ToArray();
        var results = new float[fixture.Test.Count][];
        Parallel.For(0, fixture.Test.Count * 4, new ParallelOptions { MaxDegreeOfParallelism = 8 }, k =>
        {
            int i = k % fixture.Test.Count;
            results[i] = Recognizer.PredictTile(fixture.Test.GetImage(i)).Probabilities.ToArray();
        });
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], results[i], (a, b) => Math.Abs(a - b) < 1e-5);
    }
}
