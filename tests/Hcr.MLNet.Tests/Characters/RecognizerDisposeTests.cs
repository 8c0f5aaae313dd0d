using System.Collections.Concurrent;
using Hcr.MLNet.Scoring;
using Hcr.MLNet.Tests.Onnx;
using Hcr.MLNet.Tests.TestSupport;

namespace Hcr.MLNet.Tests.Characters;

/// <summary>
/// Disposing a recognizer while other threads predict (hot-swapping a model under load): the predictions under way
/// finish, the native memory is freed after them, and every later call throws <see cref="ObjectDisposedException"/>.
/// </summary>
public class RecognizerDisposeTests
{
    private const int Threads = 4;

    [Fact]
    public void Dispose_waits_for_leases_out_and_refuses_new_ones()
    {
        var gate = new UsageGate();
        UsageGate.Lease lease = gate.Enter(this);
        bool? closed = null;
        var closing = new Thread(() => closed = gate.Close());
        closing.Start();
        Assert.False(closing.Join(TimeSpan.FromMilliseconds(300)), "Close returned while a lease was out.");
        Assert.True(gate.IsClosed);
        Assert.Throws<ObjectDisposedException>(() => gate.Enter(this));
        lease.Dispose();
        Assert.True(closing.Join(TimeSpan.FromSeconds(10)), "Close did not return once the lease ended.");
        Assert.True(closed);
        Assert.False(gate.Close());
    }

    [Fact]
    public void Disposing_an_ONNX_recognizer_under_load_does_not_crash_the_process()
    {
        using var dir = new TempDirectory();
        using (HandwritingRecognizer trained = HandwritingRecognizer.FromNetwork(ModelFiles.UntrainedNetwork()))
            trained.ExportOnnx(dir.File("m.onnx"));

        // In a child process: disposing ONNX Runtime's session under a running call was a SIGSEGV (exit code 139).
        OnnxProbe.Result result = OnnxProbe.RunDisposeUnderLoad(dir.File("m.onnx"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("0", result["dispose-failures"]);
        Assert.NotEqual("0", result["dispose-predictions"]);
    }

    [Fact]
    public void Disposing_a_TorchSharp_recognizer_under_load_fails_no_prediction_but_refuses_later_ones()
    {
        byte[] tile = Enumerable.Range(0, 784).Select(i => (byte)(i % 28 is >= 12 and < 16 ? 255 : 0)).ToArray();
        for (int round = 0; round < 3; round++)
        {
            HandwritingRecognizer recognizer = HandwritingRecognizer.FromNetwork(ModelFiles.UntrainedNetwork());
            var failures = new ConcurrentQueue<Exception>();
            int refused = 0;
            using var predicting = new CountdownEvent(Threads);
            Thread[] workers = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
            {
                bool signalled = false;
                try
                {
                    while (true)
                    {
                        recognizer.PredictTile(tile);
                        if (!signalled)
                        {
                            signalled = true;
                            predicting.Signal();
                        }
                    }
                }
                catch (ObjectDisposedException)
                {
                    Interlocked.Increment(ref refused);
                }
                catch (Exception e)
                {
                    // Before the gate: "Tensor invalid -- empty handle" from a network freed under the call.
                    failures.Enqueue(e);
                }
                if (!signalled)
                    predicting.Signal();
            })).ToArray();
            foreach (Thread worker in workers)
                worker.Start();
            Assert.True(predicting.Wait(TimeSpan.FromSeconds(60)), "The threads did not start predicting.");
            Thread.Sleep(50);
            recognizer.Dispose();
            foreach (Thread worker in workers)
                Assert.True(worker.Join(TimeSpan.FromSeconds(60)), "A predicting thread did not end after Dispose.");

            Assert.Empty(failures);
            Assert.Equal(Threads, refused);
            Assert.Throws<ObjectDisposedException>(() => recognizer.PredictTile(tile));
            Assert.Throws<ObjectDisposedException>(() => recognizer.Save(Path.Combine(Path.GetTempPath(), "never-written.hcr")));
        }
    }
}
