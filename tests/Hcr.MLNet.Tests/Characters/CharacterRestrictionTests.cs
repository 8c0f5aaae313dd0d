namespace Hcr.MLNet.Tests.Characters;

/// <summary><see cref="CharacterPrediction.RestrictedTo"/>: the prediction among the characters a field may hold.</summary>
public class CharacterRestrictionTests
{
    private static readonly char[] Classes = ['0', 'O', 'I', '1', 'C'];

    private static CharacterPrediction Prediction(params float[] probabilities) =>
        new(Classes, probabilities, networkInput: [1, 2, 3], inkGroups: 2);

    [Fact]
    public void Other_classes_drop_to_zero_and_the_allowed_ones_are_scaled_to_sum_to_one()
    {
        CharacterPrediction p = Prediction(0.5f, 0.3f, 0.1f, 0.05f, 0.05f);
        CharacterPrediction letters = p.RestrictedTo("OI");
        Assert.Equal('O', letters.Character);
        Assert.Equal(0.75f, letters.Confidence, 5);
        Assert.Equal([0f, 0.75f, 0.25f, 0f, 0f], letters.Probabilities.Select(x => MathF.Round(x, 5)));
        Assert.Equal([new CharacterCandidate('O', letters.Confidence), new CharacterCandidate('I', letters.Probabilities[2])], letters.Top(2));
        // Top lists the allowed characters alone, however many are asked for.
        Assert.Equal("OI", string.Concat(letters.Top(5).Select(c => c.Character)));
        Assert.Equal(5, p.Top(5).Count);
        // What the network saw and how many ink groups it held stay; the original prediction is unchanged.
        Assert.Equal([1, 2, 3], letters.NetworkInput.ToArray());
        Assert.Equal(2, letters.InkGroups);
        Assert.Equal('0', p.Character);
        Assert.Equal(0.5f, p.Confidence);
        // Repeated characters count once; a restriction to what it read already changes nothing but the scale.
        Assert.Equal(letters.Probabilities, p.RestrictedTo("IOOI").Probabilities);
        Assert.Equal('0', p.RestrictedTo("01").Character);
        // Restricting again keeps what both restrictions allow.
        CharacterPrediction o = letters.RestrictedTo("O0");
        Assert.Equal("O", string.Concat(o.Top(5).Select(c => c.Character)));
        Assert.Equal(1f, o.Confidence);
        Assert.Contains("already restricted", Assert.Throws<ArgumentException>(() => letters.RestrictedTo("01")).Message);
    }

    [Fact]
    public void A_character_of_the_other_case_counts_as_the_class_that_merges_both_cases()
    {
        CharacterPrediction p = Prediction(0.4f, 0.1f, 0.1f, 0.1f, 0.3f);
        CharacterPrediction c = p.RestrictedTo("ci");
        Assert.Equal('C', c.Character);
        Assert.Equal(0.75f, c.Confidence, 5);
    }

    [Fact]
    public void Characters_the_recognizer_has_no_class_for_or_none_at_all_are_refused()
    {
        CharacterPrediction p = Prediction(0.2f, 0.2f, 0.2f, 0.2f, 0.2f);
        var unknown = Assert.Throws<ArgumentException>(() => p.RestrictedTo("O7"));
        Assert.Contains("'7'", unknown.Message);
        Assert.Contains("0OI1C", unknown.Message);
        Assert.Equal("characters", unknown.ParamName);
        Assert.Throws<ArgumentException>(() => p.RestrictedTo(""));
        Assert.Throws<ArgumentNullException>(() => p.RestrictedTo(null!));
    }

    [Fact]
    public void Allowed_classes_whose_probabilities_all_underflowed_share_the_confidence_evenly()
    {
        CharacterPrediction p = Prediction(1f, 0f, 0f, 0f, 0f);
        CharacterPrediction letters = p.RestrictedTo("OIC");
        Assert.Equal(1f / 3, letters.Confidence, 6);
        Assert.Equal(0f, letters.Probabilities[0]);
        Assert.Equal(1f, letters.Probabilities.Sum(), 5);
    }

    [Fact]
    public void The_pretrained_recognizer_reads_a_photo_among_the_characters_a_field_may_hold()
    {
        using HandwritingRecognizer recognizer = HandwritingRecognizer.LoadPretrained();
        string photo = Path.Combine(TestSupport.SharedData.RepositoryRoot, "samples", "images", "B.jpg");
        CharacterPrediction read = recognizer.Predict(photo);
        Assert.Equal('B', read.Character);
        // A digit field: the answer is a digit, the most probable of the digits, however unlikely all of them were.
        CharacterPrediction digit = read.RestrictedTo("0123456789");
        Assert.True(char.IsAsciiDigit(digit.Character), $"read {digit}");
        int best = Enumerable.Range(0, recognizer.Classes.Count).Where(i => char.IsAsciiDigit(recognizer.Classes[i])).MaxBy(i => read.Probabilities[i]);
        Assert.Equal(recognizer.Classes[best], digit.Character);
        Assert.True(digit.Confidence > read.Probabilities[best]);
        Assert.Equal(1f, digit.Probabilities.Sum(), 4);
    }
}
