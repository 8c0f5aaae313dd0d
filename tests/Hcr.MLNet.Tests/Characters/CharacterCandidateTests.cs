using System.Globalization;

namespace Hcr.MLNet.Tests.Characters;

public class CharacterCandidateTests
{
    [Fact]
    public void Candidates_print_as_character_and_percentage_whatever_the_culture()
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            CharacterCandidate[] top = [new('A', 0.932f), new('4', 0.05f)];
            Assert.Equal("A 93.2%, 4 5.0%", string.Join(", ", top));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }
}
