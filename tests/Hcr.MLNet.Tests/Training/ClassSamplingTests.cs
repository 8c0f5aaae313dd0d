using Hcr.MLNet.Data;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Training;
using TorchSharp;

namespace Hcr.MLNet.Tests.Training;

/// <summary>How epochs draw images, and how the three sampling modes treat unbalanced classes.</summary>
public class ClassSamplingTests
{
    private static readonly long[] Unbalanced = [.. Enumerable.Repeat(0L, 90), .. Enumerable.Repeat(1L, 10), .. Enumerable.Repeat(2L, 20)];

    [SlowTheory]
    [InlineData(ClassSampling.Natural)]
    [InlineData(ClassSampling.LogitAdjusted)]
    public void Natural_and_logit_adjusted_epochs_show_every_image_once(ClassSampling mode)
    {
        var sampler = new EpochSampler(Unbalanced, 3, mode, seed: 4);
        int[] first = sampler.Order(1), second = sampler.Order(2);
        Assert.Equal(Enumerable.Range(0, Unbalanced.Length), first.Order());
        Assert.Equal(Enumerable.Range(0, Unbalanced.Length), second.Order());
        Assert.NotEqual(first, second);
        Assert.Equal(first, new EpochSampler(Unbalanced, 3, mode, seed: 4).Order(1));
    }

    [SlowFact]
    public void Balanced_epochs_draw_every_class_equally_often()
    {
        int[] order = new EpochSampler(Unbalanced, 3, ClassSampling.Balanced, seed: 4).Order(1);
        Assert.Equal(Unbalanced.Length, order.Length);
        Assert.All(order.GroupBy(i => Unbalanced[i]), g => Assert.Equal(40, g.Count()));
        // The rare class repeats its images in full passes: each of its 10 images exactly 4 times.
        Assert.All(order.Where(i => Unbalanced[i] == 1).GroupBy(i => i), g => Assert.Equal(4, g.Count()));
    }

    [SlowFact]
    public void Logit_adjustment_offsets_are_the_log_class_shares()
    {
        using var priors = LogitAdjustment.LogPriors(Unbalanced, 4, torch.CPU);
        float[] values = priors.data<float>().ToArray();
        Assert.Equal(Math.Log(90.0 / 120), values[0], 5);
        Assert.Equal(Math.Log(10.0 / 120), values[1], 5);
        Assert.Equal(Math.Log(20.0 / 120), values[2], 5);
        Assert.True(float.IsFinite(values[3])); // a class without images gets a finite offset
    }

    /// <summary>
    /// Two classes whose images cannot be told apart, nine to one: a network trained on the natural
    /// draw learns the 9:1 prior, while balanced sampling and logit adjustment both learn even odds,
    /// what a balanced test set (macro accuracy) wants.
    /// </summary>
    [SlowTheory]
    [InlineData(ClassSampling.Natural, 0.8, 1.0)]
    [InlineData(ClassSampling.Balanced, 0.3, 0.7)]
    [InlineData(ClassSampling.LogitAdjusted, 0.3, 0.7)]
    public void Sampling_decides_the_prior_the_network_learns_for_indistinguishable_classes(ClassSampling mode, double low, double high)
    {
        EmnistDataset glyphs = SyntheticGlyphs.Create(200, "AB", seed: 5);
        var pixels = new byte[glyphs.Count * 784];
        var labels = new int[glyphs.Count];
        for (int i = 0; i < glyphs.Count; i++)
        {
            // Every image is a class-0 glyph; the label says B for one image in ten.
            glyphs.GetImage(i - i % 2).CopyTo(pixels.AsSpan(i * 784, 784));
            labels[i] = i % 10 == 0 ? 1 : 0;
        }
        var data = EmnistDataset.Create(pixels, labels, ['A', 'B'], "indistinguishable A and B");

        HandwritingCnnOptions options = TrainerFixture.Quick(epochs: 4);
        options.Sampling = mode;
        using var model = TrainerFixture.Train(options, data);

        double meanA = Enumerable.Range(0, 40)
            .Average(i => model.Score(glyphs.GetImage(2 * i).ToArray().Select(v => v / 255f).ToArray())[0]);
        Assert.InRange(meanA, low, high);
    }
}
