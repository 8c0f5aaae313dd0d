using System.Collections.Concurrent;
using Hcr.MLNet.Native;
using Hcr.MLNet.Tests.TestSupport;
using Hcr.MLNet.Text;

namespace Hcr.MLNet.Tests.Text;

/// <summary>
/// Disposing a TorchSharp-scored text reader while other threads read (issue 27: a SIGSEGV in 2 of 55 runs and "Tensor
/// invalid -- empty handle" in 20, when TorchTextScorer's dispose took no lock): the reads under way finish, every later
/// one throws <see cref="ObjectDisposedException"/>, and nothing else fails. Modelled on the recognizer's
/// (RecognizerDisposeTests); a crash would end the test process, which fails the run rather than hanging it. The reader
/// itself waits too, for the whole of a read (every batch of its lines, the decoding after), whatever scores it.
/// </summary>
public class TextReaderDisposeTests
{
    private const int Threads = 4;
    private const int Rounds = 3;

    [Fact]
    public void Disposing_a_TorchSharp_reader_under_load_fails_no_read_but_refuses_later_ones()
    {
        byte[] image = GlyphWords.Png("abc");
        for (int round = 0; round < Rounds; round++)
        {
            HandwritingTextReader reader = HandwritingTextReader.LoadPretrained(ComputeDevice.Cpu);
            var failures = new ConcurrentQueue<Exception>();
            int refused = 0;
            using var reading = new CountdownEvent(Threads);
            Thread[] workers = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
            {
                bool signalled = false;
                try
                {
                    while (true)
                    {
                        reader.Read(image);
                        if (!signalled)
                        {
                            signalled = true;
                            reading.Signal();
                        }
                    }
                }
                catch (ObjectDisposedException)
                {
                    Interlocked.Increment(ref refused);
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                }
                if (!signalled)
                    reading.Signal();
            })).ToArray();
            foreach (Thread worker in workers)
                worker.Start();
            Assert.True(reading.Wait(TimeSpan.FromSeconds(120)), "The threads did not start reading.");
            Thread.Sleep(50);
            reader.Dispose();
            foreach (Thread worker in workers)
                Assert.True(worker.Join(TimeSpan.FromSeconds(120)), "A reading thread did not end after Dispose.");

            Assert.Empty(failures);
            Assert.Equal(Threads, refused);
            Assert.Throws<ObjectDisposedException>(() => reader.Read(image));
        }
    }

    [Fact]
    public void Dispose_waits_for_a_read_under_way_and_frees_the_scorer_after_it()
    {
        var scorer = new BlockingScorer();
        var reader = new HandwritingTextReader(scorer, new TextAlphabet(GlyphWords.Alphabet), maxWidth: 256, history: []);
        TextReading? read = null;
        Exception? failed = null;
        var reading = new Thread(() =>
        {
            try
            {
                read = reader.Read(GlyphWords.Png("abc"));
            }
            catch (Exception e)
            {
                failed = e;
            }
        });
        reading.Start();
        Assert.True(scorer.Entered.Wait(TimeSpan.FromSeconds(60)), "The read did not reach the scorer.");

        var disposing = new Thread(reader.Dispose);
        disposing.Start();
        Assert.False(disposing.Join(TimeSpan.FromMilliseconds(300)), "Dispose returned while a read was under way.");
        Assert.Equal(0, scorer.Disposals);
        ObjectDisposedException refused = Assert.Throws<ObjectDisposedException>(() => reader.Read(GlyphWords.Png("abc")));
        Assert.Equal(typeof(HandwritingTextReader).FullName, refused.ObjectName);

        scorer.Release.Set();
        Assert.True(reading.Join(TimeSpan.FromSeconds(60)), "The read did not finish.");
        Assert.True(disposing.Join(TimeSpan.FromSeconds(60)), "Dispose did not return once the read ended.");
        Assert.Null(failed);
        Assert.NotNull(read);
        Assert.Equal(1, scorer.Disposals);
        Assert.False(scorer.DisposedWhileScoring);
    }

    [Fact]
    public void Every_call_after_dispose_throws_ObjectDisposedException_and_a_second_dispose_does_nothing()
    {
        using var dir = new TempDirectory();
        WordImageSet words = GlyphWords.Write(dir, 2, seed: 5);
        byte[] png = GlyphWords.Png("ab");
        var scorer = new BlockingScorer();
        scorer.Release.Set();
        var reader = new HandwritingTextReader(scorer, new TextAlphabet(GlyphWords.Alphabet), maxWidth: 256, history: []);
        Assert.NotNull(reader.Read(png)); // usable before
        reader.Dispose();
        reader.Dispose();

        Assert.Equal(1, scorer.Disposals);
        Assert.Throws<ObjectDisposedException>(() => reader.Read(png));
        Assert.Throws<ObjectDisposedException>(() => reader.Read(new MemoryStream(png)));
        Assert.Throws<ObjectDisposedException>(() => reader.Read(words.Images[0].Path));
        Assert.Throws<ObjectDisposedException>(() => reader.Evaluate(words));
        // Not NotSupportedException (this scorer is no TorchSharp network): the reader is gone before that is asked.
        Assert.Throws<ObjectDisposedException>(() => reader.Save(dir.File("never.hcrtext")));
        Assert.Throws<ObjectDisposedException>(() => reader.ExportOnnx(dir.File("never.onnx")));
        Assert.False(File.Exists(dir.File("never.hcrtext")));
    }

    /// <summary>A scorer that says when a call has begun and holds it until released; it answers "blank" everywhere.</summary>
    private sealed class BlockingScorer : ITextScorer
    {
        private int _scoring;

        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public int Disposals { get; private set; }

        public bool DisposedWhileScoring { get; private set; }

        public TextSequenceModel SequenceModel => TextSequenceModel.Convolution;

        public float[] Score(float[] pixels, int count, int width)
        {
            Interlocked.Increment(ref _scoring);
            try
            {
                Entered.Set();
                Release.Wait();
                int classes = GlyphWords.Alphabet.Length + 1;
                var probabilities = new float[count * (width / TextStrip.WidthStride) * classes];
                for (int i = 0; i < probabilities.Length; i += classes)
                    probabilities[i] = 1; // the CTC blank
                return probabilities;
            }
            finally
            {
                Interlocked.Decrement(ref _scoring);
            }
        }

        public void Dispose()
        {
            DisposedWhileScoring |= Volatile.Read(ref _scoring) != 0;
            Disposals++;
        }
    }
}
