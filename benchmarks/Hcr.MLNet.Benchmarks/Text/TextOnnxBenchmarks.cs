using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Hcr.MLNet.Text;
using SkiaSharp;

namespace Hcr.MLNet.Benchmarks.Text;

/// <summary>
/// The pretrained text reader on ONNX Runtime (<c>HandwritingTextReader.LoadPretrained()</c>) reading the whole way:
/// decoding the file, ink analysis and the 32-pixel strip, the network, greedy CTC decoding with boxes and
/// confidences. Two inputs: one DHSD word (a 256×64 PNG; target at most 15 ms) and a line 2,000 pixels wide and 64
/// high, DHSD words set side by side as a line of handwriting is (target at most 60 ms), read as one line; each with the
/// reader's default options (beam search with its language model) and greedy without a model. The targets are for one
/// CPU core, so the process is pinned to the first core. With <c>HCR_BENCH_TEXT_READER</c> set to a reader's ONNX export,
/// that reader runs beside the pretrained one, reading with the pretrained reader's options (its language model): how a
/// candidate network (a wider one, say) would read in the same run.
/// </summary>
[Config(typeof(Config))]
public class TextOnnxBenchmarks
{
    /// <summary>The line's width: the widest line the targets name.</summary>
    private const int LineWidth = 2000, LineHeight = 64, WordGap = 24;

    private HandwritingTextReader _reader = null!;
    private byte[] _word = null!, _line = null!;
    private readonly ReadOptions _greedy = new(), _oneLineGreedy = new() { Layout = TextLayout.SingleLine };
    private ReadOptions _oneLine = null!;

    /// <summary>"pretrained", and the file <c>HCR_BENCH_TEXT_READER</c> names if it is set.</summary>
    public static IEnumerable<string> Readers()
    {
        yield return Pretrained;
        if (Environment.GetEnvironmentVariable("HCR_BENCH_TEXT_READER") is { Length: > 0 } candidate)
            yield return candidate;
    }

    private const string Pretrained = "pretrained";

    [ParamsSource(nameof(Readers))]
    public string Reader { get; set; } = Pretrained;

    [GlobalSetup]
    public void Setup()
    {
        WordImageSet dhsd = WordImageSet.Load(BenchmarkData.DhsdDirectory);
        _reader = HandwritingTextReader.LoadPretrained();
        if (Reader != Pretrained)
        {
            using HandwritingTextReader pretrained = _reader;
            _reader = HandwritingTextReader.LoadOnnx(Reader);
            _reader.DefaultReadOptions = pretrained.DefaultReadOptions;
        }
        _oneLine = _reader.DefaultReadOptions with { Layout = TextLayout.SingleLine };
        _word = File.ReadAllBytes(dhsd.Images[0].Path);
        _line = ComposeLine(dhsd.Images.Select(i => i.Path));
        _reader.Read(_word);
        _reader.Read(_line, _oneLine);
    }

    [GlobalCleanup]
    public void Cleanup() => _reader.Dispose();

    [Benchmark]
    public int ReadOneWord() => _reader.Read(_word).Text.Length;

    [Benchmark]
    public int ReadA2000PixelLine() => _reader.Read(_line, _oneLine).Text.Length;

    [Benchmark]
    public int ReadOneWordGreedy() => _reader.Read(_word, _greedy).Text.Length;

    [Benchmark]
    public int ReadA2000PixelLineGreedy() => _reader.Read(_line, _oneLineGreedy).Text.Length;

    /// <summary>Word images scaled to the line's height and set left to right until the line is full, as a PNG.</summary>
    private static byte[] ComposeLine(IEnumerable<string> words)
    {
        using var surface = SKSurface.Create(new SKImageInfo(LineWidth, LineHeight, SKColorType.Gray8));
        surface.Canvas.Clear(SKColors.White);
        float x = 0;
        foreach (string path in words)
        {
            using SKBitmap word = SKBitmap.Decode(path) ?? throw new IOException($"Cannot decode {path}.");
            float width = word.Width * (float)LineHeight / word.Height;
            if (x + width > LineWidth)
                break;
            using SKImage image = SKImage.FromBitmap(word);
            surface.Canvas.DrawImage(image, new SKRect(x, 0, x + width, LineHeight), new SKSamplingOptions(SKFilterMode.Linear));
            x += width + WordGap;
        }
        using SKImage line = surface.Snapshot();
        using SKData png = line.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10).WithAffinity(1));
    }
}
