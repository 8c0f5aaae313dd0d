using System.IO.Compression;
using Hcr.MLNet.IO;
using Hcr.MLNet.Native;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Text;

namespace Hcr.MLNet.Tests.Text;

/// <summary>Drawn glyph words for the checkpoint tests: a training set, another of the same size, and a validation set.</summary>
public sealed class TextCheckpointImages : IDisposable
{
    private readonly TempDirectory _train = new(), _other = new(), _validation = new();

    public TextCheckpointImages()
    {
        Train = GlyphWords.Write(_train, 16, seed: 1);
        OtherTrain = GlyphWords.Write(_other, 16, seed: 2);
        Validation = GlyphWords.Write(_validation, 6, seed: 3);
    }

    public WordImageSet Train { get; }

    public WordImageSet OtherTrain { get; }

    public WordImageSet Validation { get; }

    public void Dispose()
    {
        _train.Dispose();
        _other.Dispose();
        _validation.Dispose();
    }
}

/// <summary>
/// Checkpoints of text-reader training: an interrupted run resumes to the uninterrupted run's weights, and a checkpoint
/// of another run, or a damaged one, is refused. Alone in their collection: the runs are compared bit for bit, and
/// libtorch's random generator is process-wide.
/// </summary>
[Collection(TorchRandomness.Name)]
public sealed class TextCheckpointTests(TextCheckpointImages images) : IClassFixture<TextCheckpointImages>, IDisposable
{
    private readonly TempDirectory _dir = new();

    private string CheckpointPath => Path.Combine(_dir.Path, TextTrainingCheckpoint.FileName);

    public void Dispose() => _dir.Dispose();

    private HandwritingTextReader Train(int epochs, string? checkpoints, IProgress<TextTrainingProgress>? progress = null,
        WordImageSet? train = null, Action<TextTrainingOptions>? configure = null, bool validate = true, CancellationToken cancellation = default)
    {
        HandwritingTextReaderBuilder builder = HandwritingTextReader.Create()
            .WithWordImages(train ?? images.Train)
            .WithEpochs(epochs).WithBatchSize(4)
            .WithCancellation(cancellation)
            .WithTrainerOptions(o =>
            {
                // One thread on the CPU: the same seed then gives the same weights bit for bit.
                o.Threads = 1;
                o.Device = ComputeDevice.Cpu;
                configure?.Invoke(o);
            });
        if (validate)
            builder.WithValidation(images.Validation);
        if (checkpoints is not null)
            builder.WithCheckpoints(checkpoints);
        if (progress is not null)
            builder.ReportTo(progress);
        return builder.Train();
    }

    /// <summary>The saved network's bytes (TorchSharp's layout: every weight and buffer, batch-norm counts included).</summary>
    private byte[] NetworkBytes(HandwritingTextReader reader)
    {
        string path = Path.Combine(_dir.Path, $"reader-{Guid.NewGuid():N}.hcrtext");
        reader.Save(path);
        using ZipArchive zip = ZipFile.OpenRead(path);
        using var bytes = new MemoryStream();
        using (Stream entry = zip.GetEntry("network.bin")!.Open())
            entry.CopyTo(bytes);
        zip.Dispose();
        File.Delete(path);
        return bytes.ToArray();
    }

    private static object[] Comparable(IEnumerable<TextEpochMetrics> history) =>
        history.Select(m => (object)(m.Epoch, m.TrainLoss, m.Validation, m.LearningRate)).ToArray();

    // Without validation the run returns its last epoch's weights, so that they show whether the optimizer resumed exactly;
    // with validation, the history's readings and the best epoch's weights must resume too.
    [Theory]
    [InlineData(2, false, false)] // cancelled through the options' token after epoch 2
    [InlineData(1, true, true)]   // an exception from the progress callback after epoch 1, as a crash would end it
    public void An_interrupted_run_resumes_to_the_uninterrupted_runs_weights_history_and_readings(int stopAfter, bool throwFromProgress, bool validate)
    {
        using HandwritingTextReader uninterrupted = Train(3, checkpoints: null, validate: validate);

        using var cancel = new CancellationTokenSource();
        var stopping = new RecordingProgress<TextTrainingProgress>(p =>
        {
            if (p.CompletedEpoch?.Epoch != stopAfter)
                return;
            if (throwFromProgress)
                throw new InvalidOperationException("stopped by the test");
            cancel.Cancel();
        });
        Exception stopped = Assert.ThrowsAny<Exception>(() => Train(3, _dir.Path, stopping, validate: validate, cancellation: cancel.Token));
        Assert.IsAssignableFrom(throwFromProgress ? typeof(InvalidOperationException) : typeof(OperationCanceledException), stopped);
        Assert.True(File.Exists(CheckpointPath));

        var reports = new RecordingProgress<TextTrainingProgress>();
        using HandwritingTextReader resumed = Train(3, _dir.Path, reports, validate: validate);

        // The finished epochs were not trained again, and the reports say the run resumed.
        Assert.NotEmpty(reports.Reports);
        Assert.All(reports.Reports, r => Assert.True(r.Epoch > stopAfter, $"epoch {r.Epoch} trained again"));
        Assert.All(reports.Reports, r => Assert.Equal(stopAfter, r.ResumedEpochs));
        Assert.Equal([1, 2, 3], resumed.History.Select(h => h.Epoch));
        Assert.Equal(Comparable(uninterrupted.History), Comparable(resumed.History));
        Assert.Equal(NetworkBytes(uninterrupted), NetworkBytes(resumed));
        foreach (WordImage image in images.Validation.Images.Concat(images.Train.Images.Take(4)))
        {
            TextReading expected = uninterrupted.Read(image.Path), actual = resumed.Read(image.Path);
            Assert.Equal(expected.Text, actual.Text);
            Assert.Equal(expected.Confidence, actual.Confidence);
        }
    }

    [Fact]
    public void Saves_leave_one_complete_checkpoint_and_no_temporary_files_and_a_finished_run_is_not_trained_again()
    {
        var reports = new RecordingProgress<TextTrainingProgress>();
        using HandwritingTextReader trained = Train(2, _dir.Path, reports);
        Assert.Contains(reports.Reports, r => r.CompletedEpoch?.Epoch == 2);

        Assert.Equal([TextTrainingCheckpoint.FileName], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
        byte[] saved = File.ReadAllBytes(CheckpointPath);
        Assert.Equal("HCR-TCK\n"u8.ToArray(), saved[..8]);

        var again = new RecordingProgress<TextTrainingProgress>();
        using HandwritingTextReader resumed = Train(2, _dir.Path, again);
        Assert.Empty(again.Reports);
        Assert.Equal(Comparable(trained.History), Comparable(resumed.History));
        Assert.Equal(NetworkBytes(trained), NetworkBytes(resumed));
        Assert.Equal(saved, File.ReadAllBytes(CheckpointPath));
    }

    [Fact]
    public void A_checkpoint_of_other_settings_or_other_images_is_refused_naming_the_file_and_the_difference()
    {
        using (Train(1, _dir.Path)) { }
        byte[] saved = File.ReadAllBytes(CheckpointPath);

        var epochs = Assert.Throws<InvalidDataException>(() => Train(2, _dir.Path));
        Assert.Contains(CheckpointPath, epochs.Message);
        Assert.Contains("epochs 1 in the checkpoint, 2 in this run", epochs.Message);

        var rate = Assert.Throws<InvalidDataException>(() => Train(1, _dir.Path, configure: o => o.LearningRate = 1e-3));
        Assert.Contains("learning rate", rate.Message);
        Assert.DoesNotContain("epochs", rate.Message);

        var augment = Assert.Throws<InvalidDataException>(() => Train(1, _dir.Path, configure: o => o.Augment = false));
        Assert.Contains("augment True in the checkpoint, False in this run", augment.Message);

        // A standard run's checkpoint names no size (as those written before sizes existed), so a wide run is told so.
        var wide = Assert.Throws<InvalidDataException>(() => Train(1, _dir.Path, configure: o => o.NetworkSize = TextNetworkSize.Wide));
        Assert.Contains("network size (none) in the checkpoint, Wide in this run", wide.Message);

        var data = Assert.Throws<InvalidDataException>(() => Train(1, _dir.Path, train: images.OtherTrain));
        Assert.Contains(CheckpointPath, data.Message);
        Assert.Contains("other data", data.Message);

        var fewer = Assert.Throws<InvalidDataException>(() => Train(1, _dir.Path, train: WordImageSet.FromImages(images.Train.Images.Take(12))));
        Assert.Contains("training images 16 in the checkpoint, 12 in this run", fewer.Message);

        // Refusing leaves the checkpoint as it was.
        Assert.Equal(saved, File.ReadAllBytes(CheckpointPath));
    }

    [Fact]
    public void A_damaged_truncated_or_foreign_checkpoint_is_a_format_error_naming_the_file()
    {
        using (Train(1, _dir.Path)) { }
        byte[] good = File.ReadAllBytes(CheckpointPath);
        Assert.True(good.Length > 3 * 4096);

        void Refused(byte[] content, string problem)
        {
            File.WriteAllBytes(CheckpointPath, content);
            var e = Assert.Throws<ModelFormatException>(() => Train(1, _dir.Path));
            Assert.Equal(CheckpointPath, e.Source);
            Assert.Contains(CheckpointPath, e.Message);
            Assert.Contains(problem, e.Message);
        }

        byte[] damaged = good.ToArray();
        damaged.AsSpan(damaged.Length / 2, 4096).Fill(0xFF);
        Refused(damaged, "checksum mismatch");
        Refused(good[..(good.Length / 2)], "checksum mismatch");
        Refused(good[..10], "truncated");
        Refused("something else entirely"u8.ToArray(), "wrong header");
        Refused([.. "HCR-CKP\n"u8, .. good[8..]], "character trainer's checkpoint");
        byte[] newer = good.ToArray();
        newer[8] = 99;
        Refused(newer, "version 99");
    }

    [Fact]
    public void A_checkpoint_folder_that_cannot_be_written_fails_before_training()
    {
        string file = _dir.File("not-a-folder");
        File.WriteAllText(file, "a file where the folder should be");
        var reports = new RecordingProgress<TextTrainingProgress>();

        var e = Assert.Throws<IOException>(() => Train(1, file, reports));

        Assert.StartsWith($"Cannot write {Path.Combine(file, TextTrainingCheckpoint.FileName)}", e.Message);
        Assert.DoesNotContain(nameof(TextTrainingLoop), e.StackTrace);
        Assert.Empty(reports.Reports);
    }
}
