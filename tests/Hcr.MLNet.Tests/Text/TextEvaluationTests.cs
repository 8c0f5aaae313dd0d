using Hcr.MLNet.Text;

namespace Hcr.MLNet.Tests.Text;

public class TextEvaluationTests
{
    [Theory]
    [InlineData("", "", 0)]
    [InlineData("abc", "abc", 0)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("Straße", "Strasse", 2)]
    public void EditDistanceCountsInsertionsDeletionsAndSubstitutions(string a, string b, int expected) =>
        Assert.Equal(expected, TextEvaluation.EditDistance(a.AsSpan(), b.AsSpan()));

    [Fact]
    public void RatesArePerLabelCharacterAndWord()
    {
        TextEvaluation e = TextEvaluation.Score(["Groß Köris", "Ulm", ""], ["Groß Köris", "Ulme", "Bad Aibling"]);
        Assert.Equal(3, e.Count);
        Assert.Equal((0 + 1 + 11) / 25.0, e.CharacterErrorRate, 1e-9);
        Assert.Equal((0 + 1 + 2) / 5.0, e.WordErrorRate, 1e-9);
        Assert.Equal(1 / 3.0, e.TextAccuracy, 1e-9);
    }
}
