using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Text;

namespace Hcr.MLNet.Tests.Text;

/// <summary>Real handwriting: the DHSD word images in ../shared, always validated on writers the reader never saw.</summary>
public class DhsdReadingTests
{
    [DataFact(SharedDataSet.Dhsd)]
    public void TheRealListLoadsWithItsAlphabetAndWriters()
    {
        var set = WordImageSet.Load(SharedData.DhsdDirectory);
        Assert.Equal(4711, set.Count);
        Assert.Equal(29, set.Writers.Count);
        var alphabet = TextAlphabet.FromTexts(set.Images.Select(i => i.Text));
        foreach (char c in "äöüß -.()")
            Assert.True(alphabet.Contains(c));
        Assert.Contains(set.Images, i => i.Text.Contains("Straße", StringComparison.Ordinal));
    }

    [DataFact(SharedDataSet.Dhsd)]
    public void ABrieflyTrainedReaderBeatsChanceOnHeldOutWriters()
    {
        var set = WordImageSet.Load(SharedData.DhsdDirectory);
        // Three writers the reader never sees; a small, even sample of the others to train on for about a minute. Without
        // augmentation, which pays off only in long runs: in a run this short it keeps the reader in CTC's all-blank phase.
        (WordImageSet train, WordImageSet heldOut) = set.SplitByWriter(["3", "14", "27"]);
        WordImageSet validation = heldOut.Subset(150, seed: 1);
        using HandwritingTextReader reader = HandwritingTextReader.Create()
            .WithWordImages(train.Subset(600, seed: 1))
            .WithValidation(validation)
            .WithEpochs(12)
            .WithTrainerOptions(o => o.Augment = false)
            .Train();
        TextEvaluation e = reader.Evaluate(validation);
        // Reading nothing, which is where CTC training starts, scores a CER of 100%, and after half these epochs a reader
        // still stays above 80%; one that has learned letters of new hands is well below.
        Assert.True(e.CharacterErrorRate < 0.75, $"Held-out writers: {e}");
        Assert.Empty(train.Writers.Intersect(validation.Writers));
    }

    [DataFact(SharedDataSet.Dhsd)]
    public void AReaderAdaptedOnSixteenWordsOfANewWriterReadsTheirOtherWordsBetter()
    {
        // The shipped reader has trained on every DHSD writer, so this starts from the reader shipped before it
        // (Text/Assets/dhsd-23-writers.hcrtext, trained on the 23 DHSD writers that are not the protocol's test writers):
        // writer 12 is one of the test writers it never trained on (docs/text-reader-protocol.md).
        WordImage[] words = WordImageSet.Load(SharedData.DhsdDirectory).SplitByWriter(["12"]).Validation.Images.ToArray();
        new Random(2024).Shuffle(words);
        var rest = WordImageSet.FromImages(words.Skip(32).Take(80), "writer 12, words not adapted on");
        using HandwritingTextReader reader = HandwritingTextReader.Load(
            Path.Combine(SharedData.RepositoryRoot, "tests", "Hcr.MLNet.Tests", "Text", "Assets", "dhsd-23-writers.hcrtext"));
        TextEvaluation before = reader.Evaluate(rest);

        using HandwritingTextReader adapted = HandwritingTextReader.Create()
            .StartingFrom(reader)
            .WithWordImages(WordImageSet.FromImages(words.Take(16), "writer 12, 16 words"))
            .Train();

        TextEvaluation after = adapted.Evaluate(rest);
        Assert.True(after.CharacterErrorRate < before.CharacterErrorRate, $"before {before}, after {after}");
    }
}
