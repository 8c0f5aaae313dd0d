using System.Diagnostics;

namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>
/// A named pipe (FIFO) made with mkfifo, and a way to call what should refuse it without letting a regression hang the
/// suite: opening a FIFO for reading blocks until a writer appears, so the call runs on its own thread under a deadline,
/// and past it the test opens the pipe's writing end itself (which releases the blocked open) and fails.
/// </summary>
internal static class NamedPipe
{
    /// <summary>How long a refusal may take: it happens before any open, so seconds are generous even on a loaded machine.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Makes a FIFO at <paramref name="path"/> (Linux and macOS; the tests that use it run there).</summary>
    public static string Make(string path)
    {
        using Process mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    /// <summary>
    /// The exception of type <typeparamref name="T"/> that <paramref name="call"/> throws for the pipe <paramref name="fifo"/>
    /// within <see cref="Deadline"/>, naming the pipe and saying what it is; fails if it blocks instead, returns, or throws anything else.
    /// </summary>
    public static T Refused<T>(string fifo, Action call) where T : Exception
    {
        Exception? thrown = Outcome(fifo, call);
        Assert.True(thrown is T, $"expected {typeof(T).Name} for the named pipe {fifo}, got {thrown?.GetType().Name ?? "no exception"}: {thrown}");
        Assert.Contains("named pipe", thrown!.Message, StringComparison.Ordinal);
        Assert.Contains(fifo, thrown.Message, StringComparison.Ordinal);
        return (T)thrown;
    }

    /// <summary>What <paramref name="call"/> throws (null if nothing) within <see cref="Deadline"/>; fails if it blocks on <paramref name="fifo"/>.</summary>
    public static Exception? Outcome(string fifo, Action call)
    {
        Task<Exception?> task = Task.Factory.StartNew(() =>
        {
            try
            {
                call();
                return null;
            }
            catch (Exception e)
            {
                return e;
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (!task.Wait(Deadline))
        {
            // Opening the writing end releases an open blocked on the reading end; closing it gives that reader end of file.
            using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { }
            task.Wait(Deadline);
            Assert.Fail($"the call blocked on the named pipe {fifo} for {Deadline.TotalSeconds} s instead of refusing it");
        }
        return task.Result;
    }
}
