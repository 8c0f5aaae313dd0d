using Hcr.MLNet.Native;
using Hcr.MLNet.Text;

namespace Hcr.MLNet.Tests.Text;

/// <summary>The text reader's builder holds one set of training options that every call writes to; nothing here trains.</summary>
public class HandwritingTextReaderBuilderTests
{
    [Fact]
    public void Every_setter_writes_the_one_set_of_options()
    {
        var progress = new Progress<TextTrainingProgress>();
        using var cancellation = new CancellationTokenSource();
        TextTrainingOptions options = HandwritingTextReader.Create()
            .WithEpochs(3).WithBatchSize(8).WithLearningRate(1e-3).WithSeed(5)
            .WithSequenceModel(TextSequenceModel.BiLstm).OnDevice(ComputeDevice.Cpu)
            .ReportTo(progress).WithCheckpoints("ckpt").WithCancellation(cancellation.Token)
            .BuildOptions();

        Assert.Equal((3, 8, 1e-3, 5), (options.Epochs, options.BatchSize, options.LearningRate, options.Seed));
        Assert.Equal(TextSequenceModel.BiLstm, options.SequenceModel);
        Assert.Equal(ComputeDevice.Cpu, options.Device);
        Assert.Same(progress, options.Progress);
        Assert.Equal("ckpt", options.CheckpointDirectory);
        Assert.Equal(cancellation.Token, options.CancellationToken);
    }

    [Fact]
    public void A_setter_and_a_callback_write_the_same_store_and_the_last_call_wins()
    {
        TextTrainingOptions setterFirst = HandwritingTextReader.Create()
            .WithEpochs(3).WithTrainerOptions(o => { o.Epochs = 20; o.Augment = false; }).BuildOptions();
        Assert.Equal((20, false), (setterFirst.Epochs, setterFirst.Augment));

        TextTrainingOptions setterLast = HandwritingTextReader.Create()
            .WithTrainerOptions(o => { o.Epochs = 20; o.Augment = false; }).WithEpochs(3).BuildOptions();
        Assert.Equal((3, false), (setterLast.Epochs, setterLast.Augment));

        HandwritingTextReaderBuilder builder = HandwritingTextReader.Create().WithEpochs(4);
        TextTrainingOptions built = builder.BuildOptions();
        built.Epochs = 9; // the built options are a copy
        Assert.Equal(4, builder.BuildOptions().Epochs);
    }
}
