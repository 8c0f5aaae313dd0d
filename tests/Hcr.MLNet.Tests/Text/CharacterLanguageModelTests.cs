using Hcr.MLNet.IO;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Text;

namespace Hcr.MLNet.Tests.Text;

/// <summary>The character n-gram model: proper probabilities, learned preferences, files, and what it does to beam search.</summary>
public class CharacterLanguageModelTests
{
    private static readonly string[] Streets = ["Hauptstraße", "Bahnhofstraße", "Schulstraße", "Gartenstraße", "Lindenweg", "Am Markt"];

    [Fact]
    public void After_any_history_the_probabilities_of_every_seen_character_the_end_and_one_unseen_character_sum_to_one()
    {
        var lm = CharacterLanguageModel.Train(Streets, order: 4);
        char[] seen = Streets.SelectMany(s => s).Distinct().ToArray();
        foreach (string history in new[] { "", "H", "Haupt", "Hauptstra", "xyz", "Lind" })
        {
            double sum = seen.Sum(c => Math.Exp(lm.LogProbability(history, c))) + Math.Exp(lm.EndLogProbability(history))
                + Math.Exp(lm.LogProbability(history, '€'));
            Assert.Equal(1.0, sum, 9);
        }
        Assert.Equal(seen.Length + 1, lm.Characters);
    }

    [Fact]
    public void It_prefers_what_its_texts_write_and_where_they_end()
    {
        var lm = CharacterLanguageModel.Train(Streets);
        Assert.True(lm.LogProbability("Lindenstra", 'ß') > lm.LogProbability("Lindenstra", 'b') + 2);
        Assert.True(lm.EndLogProbability("Rosenstraße") > lm.EndLogProbability("Rosenstra") + 2);
        Assert.True(lm.LogProbability("Rosenstraße") > lm.LogProbability("Rosenstrabe") + 2);
        // Unseen characters keep a probability: the model ranks readings, it never forbids one.
        Assert.True(double.IsFinite(lm.LogProbability("Q€")));
    }

    [Fact]
    public void Saved_and_loaded_it_scores_alike_and_a_damaged_file_is_refused_naming_it_and_the_line()
    {
        using var dir = new TempDirectory();
        var lm = CharacterLanguageModel.Train([.. Streets, "Tab\there", "back\\slash"], order: 3);
        string path = dir.File("streets.lm");
        lm.Save(path);
        var loaded = CharacterLanguageModel.Load(path);
        Assert.Equal(lm.Order, loaded.Order);
        foreach (string text in new[] { "Hauptstraße", "Tab\there", "back\\slash", "Neu" })
            Assert.Equal(lm.LogProbability(text), loaded.LogProbability(text), 12);

        string[] lines = File.ReadAllLines(path);
        File.WriteAllLines(path, [.. lines.Take(3), "a\tb", .. lines.Skip(3)]);
        var e = Assert.Throws<ModelFormatException>(() => CharacterLanguageModel.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("line 4", e.Message, StringComparison.Ordinal);
        File.WriteAllText(path, "Hauptstraße\nSchulstraße\n");
        Assert.Contains("not a character language model", Assert.Throws<ModelFormatException>(() => CharacterLanguageModel.Load(path)).Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => CharacterLanguageModel.Load(dir.File("none.lm")));
        Assert.Throws<ArgumentException>(() => CharacterLanguageModel.Train(["", "  "]));
        Assert.Throws<ArgumentOutOfRangeException>(() => CharacterLanguageModel.Train(Streets, order: CharacterLanguageModel.MaxOrder + 1));
    }

    [Fact]
    public void A_saved_model_is_written_and_read_back_to_the_byte_and_damage_in_its_layout_is_refused()
    {
        using var dir = new TempDirectory();
        var lm = CharacterLanguageModel.Train([.. Streets, "Tab\there", "ÄÖÜ äöü"], order: 6);
        string path = dir.File("streets.lm"), again = dir.File("again.lm");
        lm.Save(path);
        CharacterLanguageModel.Load(path).Save(again);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));

        // Save writes a context's counts together; one that comes back after other contexts is damage, named by its line.
        string[] lines = File.ReadAllLines(path);
        File.WriteAllLines(again, [.. lines, lines[1]]);
        var e = Assert.Throws<ModelFormatException>(() => CharacterLanguageModel.Load(again));
        Assert.Contains($"line {lines.Length + 1}", e.Message, StringComparison.Ordinal);

        // A file that lacks a context's shorter contexts (hand-edited, say) still gives probabilities: the smoothing stops
        // where the chain of contexts breaks, as it stops at a context no text had.
        File.WriteAllLines(again, [lines[0], "\tH\t3", "\te\t2", "xaH\te\t5"]);
        var sparse = CharacterLanguageModel.Load(again);
        double root = sparse.LogProbability("".AsSpan(), 'e');
        Assert.True(double.IsFinite(root));
        Assert.Equal(root, sparse.LogProbability("xaH".AsSpan(), 'e'));
        Assert.Equal(root, sparse.LogProbability("H".AsSpan(), 'e'));
    }

    /// <summary>
    /// A network unsure between "ß" and "b" in "Rosenstraße" (b a little ahead): greedy and plain beam search read "b",
    /// beam search with a model of street names reads "ß"; at weight 0 the model changes nothing.
    /// </summary>
    [Fact]
    public void Beam_search_with_the_model_settles_what_the_network_hesitates_over()
    {
        var alphabet = TextAlphabet.FromTexts([.. Streets, "Rosenstrabe"]);
        float[] table = Table(alphabet, "Rosenstra", [('b', 0.5f), ('ß', 0.4f)], "e");
        var lm = CharacterLanguageModel.Train(Streets);
        string Read(ReadOptions options) => alphabet.Decode(LineDecoder.Labels(table, alphabet, options));

        Assert.Equal("Rosenstrabe", Read(new ReadOptions()));
        Assert.Equal("Rosenstrabe", Read(new ReadOptions { Decoding = TextDecoding.BeamSearch }));
        Assert.Equal("Rosenstraße", Read(new ReadOptions { LanguageModel = lm }));
        Assert.Equal("Rosenstrabe", Read(new ReadOptions { LanguageModel = lm, LanguageModelWeight = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReadOptions { LanguageModelWeight = -1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReadOptions { CharacterBonus = double.NaN }.Validate());
    }

    /// <summary>Positions: each character of <paramref name="before"/> sure, then one position split between <paramref name="choices"/>, then <paramref name="after"/>; a blank between every two.</summary>
    private static float[] Table(TextAlphabet alphabet, string before, (char Character, float P)[] choices, string after)
    {
        var rows = new List<float[]>();
        float[] Row(params (int Class, float P)[] mass)
        {
            var row = new float[alphabet.ClassCount];
            float rest = 1 - mass.Sum(m => m.P);
            for (int c = 0; c < row.Length; c++)
                row[c] = rest / (row.Length - mass.Length);
            foreach ((int c, float p) in mass)
                row[c] = p;
            return row;
        }
        foreach (char c in before)
        {
            rows.Add(Row((alphabet.Encode(c.ToString())[0], 0.95f)));
            rows.Add(Row((TextAlphabet.Blank, 0.95f)));
        }
        rows.Add(Row([.. choices.Select(ch => (alphabet.Encode(ch.Character.ToString())[0], ch.P))]));
        rows.Add(Row((TextAlphabet.Blank, 0.95f)));
        foreach (char c in after)
        {
            rows.Add(Row((alphabet.Encode(c.ToString())[0], 0.95f)));
            rows.Add(Row((TextAlphabet.Blank, 0.95f)));
        }
        return [.. rows.SelectMany(r => r)];
    }
}
