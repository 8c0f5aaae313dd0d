using Hcr.MLNet.Imaging;
using Hcr.MLNet.Synthesis;

namespace Hcr.MLNet.Text;

/// <summary>
/// Word and line images written in handwriting fonts (<see cref="HandwritingFonts"/>), each font one more "writer" than
/// the real data has, sent through the same <see cref="LineNormalizer"/> as a photo. Unlike EMNIST's characters, fonts
/// have ß, accents and punctuation, so every text of a Latin-1 alphabet can be written.
/// </summary>
internal sealed class FontWords : IDisposable
{
    private readonly HandwritingFonts _fonts;

    private FontWords(HandwritingFonts fonts) => _fonts = fonts;

    /// <summary>The fonts loaded, by file name.</summary>
    public IReadOnlyList<string> Fonts => _fonts.Fonts;

    /// <summary>Every TrueType or OpenType font in <paramref name="folder"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The folder holds no font SkiaSharp can read; the message names it.</exception>
    public static FontWords Load(string folder) => new(HandwritingFonts.Load(folder));

    /// <summary>
    /// <paramref name="count"/> normalised strips: whole texts of <paramref name="vocabulary"/> and new lines of one to three
    /// of its words, each in a font that has all its characters; the same <paramref name="seed"/> gives the same strips.
    /// </summary>
    /// <exception cref="ArgumentException">No text of <paramref name="vocabulary"/> can be written in any of the fonts.</exception>
    public TextSample[] Samples(IEnumerable<string> vocabulary, int count, TextAlphabet alphabet, int maxWidth, int seed)
    {
        var random = new Random(seed);
        string[] texts = vocabulary.Where(t => t.Trim().Length > 0).Distinct().ToArray();
        string[] words = texts.SelectMany(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Distinct().ToArray();
        if (words.Length == 0)
            throw new ArgumentException("There are no texts to write.", nameof(vocabulary));
        var chosen = new (string Text, int Font, int Seed)[count];
        for (int i = 0; i < count; i++)
        {
            string text = random.NextDouble() < 0.5
                ? texts[random.Next(texts.Length)]
                : string.Join(' ', Enumerable.Range(0, 1 + random.Next(3)).Select(_ => words[random.Next(words.Length)]));
            chosen[i] = (text, random.Next(_fonts.Fonts.Count), random.Next());
        }
        var samples = new TextSample?[count];
        Parallel.For(0, count, i =>
        {
            (string text, int first, int glyphSeed) = chosen[i];
            // The first font that has every character; a text no font can write is left out.
            for (int k = 0; k < _fonts.Fonts.Count; k++)
            {
                int font = (first + k) % _fonts.Fonts.Count;
                if (!_fonts.CanWrite(font, text))
                    continue;
                GreyImage image = _fonts.Compose(text, font, new Random(glyphSeed));
                NormalizedLine line = LineNormalizer.Normalize(image, TextStrip.Height, maxWidth, $"font word {i} ({text}, {_fonts.Fonts[font]})");
                samples[i] = new TextSample(line, alphabet.Encode(text), text);
                break;
            }
        });
        TextSample[] written = samples.OfType<TextSample>().ToArray();
        if (written.Length == 0)
            throw new ArgumentException("None of the training texts can be written in the fonts given.", nameof(vocabulary));
        return written;
    }

    /// <summary>A grey image (paper bright) of <paramref name="text"/> in font <paramref name="font"/>, varied by <paramref name="random"/>.</summary>
    public GreyImage Compose(string text, int font, Random random) => _fonts.Compose(text, font, random);

    public void Dispose() => _fonts.Dispose();
}
