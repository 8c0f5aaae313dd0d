using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Text;

namespace Hcr.MLNet.Tests.Text;

/// <summary>The word-image list: DHSD's CSV layout, writer-held-out splits, and errors that name the file, the line and the problem.</summary>
public class WordImageSetTests
{
    private static string WriteList(TempDirectory dir, string csv, params string[] images)
    {
        foreach (string image in images)
        {
            string path = dir.File(image);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, [1]); // only existence is checked when the list loads
        }
        string list = dir.File(WordImageSet.ListFileName);
        File.WriteAllText(list, csv, new System.Text.UTF8Encoding(false));
        return list;
    }

    [Fact]
    public void LoadsTheListFromAFolderWithQuotedFieldsAndUmlauts()
    {
        using var dir = new TempDirectory();
        WriteList(dir, "file_name,text,writer_id\nw1/1_0.png,Königshain-Wiederau,1\nw1/1_1.png,\"Frankfurt (Oder), Ost\",1\n\nw2/2_0.png,\"Sag \"\"Straße\"\"\",2\n",
            "w1/1_0.png", "w1/1_1.png", "w2/2_0.png");
        var set = WordImageSet.Load(dir.Path);
        Assert.Equal(3, set.Count);
        Assert.Equal(["Königshain-Wiederau", "Frankfurt (Oder), Ost", "Sag \"Straße\""], set.Images.Select(i => i.Text));
        Assert.Equal(["1", "2"], set.Writers);
        Assert.Equal(dir.File("w2/2_0.png"), set.Images[2].Path);
    }

    [Theory]
    [InlineData("name,text,writer\n", 1, "header")]
    [InlineData("file_name,text,writer_id\na.png,Ulm\n", 2, "2 fields")]
    [InlineData("file_name,text,writer_id\na.png,  ,3\n", 2, "text of a.png is empty")]
    [InlineData("file_name,text,writer_id\na.png,Ulm,\n", 2, "writer of a.png is empty")]
    [InlineData("file_name,text,writer_id\na.png,\"Ulm,3\n", 2, "never closed")]
    [InlineData("file_name,text,writer_id\na.png,Ulm,3\nmissing.png,Ulm,3\n", 3, "missing.png does not exist")]
    public void ABadListNamesTheFileTheLineAndTheProblem(string csv, int line, string problem)
    {
        using var dir = new TempDirectory();
        string list = WriteList(dir, csv, "a.png");
        var e = Assert.Throws<WordImageFormatException>(() => WordImageSet.Load(list));
        Assert.Equal(list, e.File);
        Assert.Equal(line, e.Line);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.StartsWith(list, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptyListAndAListInAnotherEncodingAreRefused()
    {
        using var dir = new TempDirectory();
        string list = WriteList(dir, "");
        Assert.Contains("empty", Assert.Throws<WordImageFormatException>(() => WordImageSet.Load(list)).Message, StringComparison.Ordinal);
        File.WriteAllBytes(list, [.. "file_name,text,writer_id\na.png,K"u8, 0xF6, .. "ln,1\n"u8]); // Latin-1 ö
        Assert.Contains("UTF-8", Assert.Throws<WordImageFormatException>(() => WordImageSet.Load(list)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFolderWithoutAListAndAMissingPathAreNotFound()
    {
        using var dir = new TempDirectory();
        Assert.Contains(WordImageSet.ListFileName, Assert.Throws<FileNotFoundException>(() => WordImageSet.Load(dir.Path)).Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => WordImageSet.Load(dir.File("nothing.csv")));
    }

    private static WordImageSet Writers(int writers, int imagesEach) => WordImageSet.FromImages(
        Enumerable.Range(1, writers).SelectMany(w => Enumerable.Range(0, imagesEach).Select(i => new WordImage($"/x/{w}_{i}.png", $"t{i}", w.ToString(System.Globalization.CultureInfo.InvariantCulture)))));

    [Fact]
    public void ASplitByWriterNeverSharesAWriterAndIsReproducible()
    {
        WordImageSet set = Writers(10, 5);
        (WordImageSet train, WordImageSet validation) = set.SplitByWriter(0.2, seed: 2024);
        Assert.Equal(2, validation.Writers.Count);
        Assert.Empty(train.Writers.Intersect(validation.Writers));
        Assert.Equal(50, train.Count + validation.Count);
        Assert.Equal(validation.Writers.Order(), set.SplitByWriter(0.2, seed: 2024).Validation.Writers.Order());
        Assert.NotEqual(validation.Writers.Order(), set.SplitByWriter(0.2, seed: 1).Validation.Writers.Order());
    }

    [Fact]
    public void NamedWritersAreHeldOutAndUnknownOnesRefused()
    {
        WordImageSet set = Writers(3, 2);
        Assert.Equal(["2"], set.SplitByWriter(["2"]).Validation.Writers);
        Assert.Throws<ArgumentException>(() => set.SplitByWriter(["9"]));
        Assert.Throws<ArgumentException>(() => set.SplitByWriter(["1", "2", "3"]));
    }

    [Fact]
    public void CombinedSetsKeepEveryImageAndRefuseAWriterNameInTwoCorpora()
    {
        WordImageSet words = Writers(3, 2);
        WordImageSet lines = WordImageSet.FromImages(
            [new WordImage("l1.png", "une ligne", "copiste_1"), new WordImage("l2.png", "une autre", "copiste_2")], "lines");

        WordImageSet both = WordImageSet.Combine(words, lines);

        Assert.Equal(words.Count + lines.Count, both.Count);
        Assert.Equal(words.Writers.Concat(lines.Writers), both.Writers);
        Assert.Same(words, WordImageSet.Combine(words));
        var e = Assert.Throws<ArgumentException>(() => WordImageSet.Combine(words, Writers(2, 1)));
        Assert.Contains("Writer '1'", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => WordImageSet.Combine());
    }

    [Fact]
    public void A_save_path_that_cannot_be_written_is_refused_before_training()
    {
        var e = Assert.Throws<IOException>(() => HandwritingTextReader.CheckSavePath("/proc/nope/reader.hcrtext"));
        Assert.Contains("/proc/nope/reader.hcrtext", e.Message, StringComparison.Ordinal);
        using var dir = new TempDirectory();
        HandwritingTextReader.CheckSavePath(dir.File("reader.hcrtext"));
        Assert.False(File.Exists(dir.File("reader.hcrtext")));
    }

    [Fact]
    public void ASubsetDrawsFromEveryWriter()
    {
        WordImageSet subset = Writers(4, 10).Subset(8, seed: 1);
        Assert.Equal(8, subset.Count);
        Assert.All(subset.Images.GroupBy(i => i.Writer), g => Assert.Equal(2, g.Count()));
    }

    [Fact]
    public void TheAlphabetHasTheDataAndTheGermanNameCharacters()
    {
        var alphabet = TextAlphabet.FromTexts(["Zwickau", "x1"]);
        foreach (char c in "Zwickaux1äöüÄÖÜß -.()")
            Assert.True(alphabet.Contains(c), $"'{c}' is missing");
        Assert.Equal(alphabet.Characters.Length + 1, alphabet.ClassCount);
        Assert.Equal("Zwickau", alphabet.Decode(alphabet.Encode("Zwickau")));
        Assert.Throws<ArgumentException>(() => alphabet.Encode("Zürich€"));
        Assert.Throws<ArgumentException>(() => new TextAlphabet("aa"));
    }
}
