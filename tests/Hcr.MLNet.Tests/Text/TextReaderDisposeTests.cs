using System.Collections.Concurrent;
using Hcr.MLNet.Native;

namespace Hcr.MLNet.Tests.Text;

/// <summary>
/// Disposing a TorchSharp-scored text reader while other threads read (issue 27: a SIGSEGV in 2 of 55 runs and "Tensor
/// invalid -- empty handle" in 20, when TorchTextScorer's dispose took no lock): the reads under way finish, every later
/// one throws <see cref="ObjectDisposedException"/>, and nothing else fails. Modelled on the recognizer's
/// (RecognizerDisposeTests); a crash would end the test process, which fails the run rather than hanging it.
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
}
