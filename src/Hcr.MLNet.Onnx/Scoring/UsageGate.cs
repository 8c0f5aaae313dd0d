namespace Hcr.MLNet.Scoring;

/// <summary>
/// Lets an owner of native memory (an ONNX Runtime session, a libtorch network) be disposed while other threads use
/// it: each use holds a <see cref="Lease"/>; <see cref="Close"/> refuses new leases, waits for the ones out to end, and
/// only then does the owner free its memory. Freeing it under a running call crashed the process (ONNX Runtime) or
/// failed the call with an empty-handle error (TorchSharp); hot-swapping a model under load is a normal server pattern.
/// </summary>
/// <remarks>
/// A counter rather than a reader-writer lock: leases nest (a prediction that scores through the network's own
/// lease) and cost two interlocked operations, with no lock taken unless the gate is closing. Closing from inside a
/// lease of the same gate would wait for itself, so the owners never call <see cref="Close"/> from their own work.
/// </remarks>
internal sealed class UsageGate
{
    // A plain object: Monitor.Wait and PulseAll need a monitor, which System.Threading.Lock is not.
    private readonly object _drained = new();
    private int _users;
    private int _closed;

    /// <summary>Whether <see cref="Close"/> has begun: no lease is granted any more.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>A lease for one use; dispose it when the use ends.</summary>
    /// <exception cref="ObjectDisposedException">The gate is closed; the message names <paramref name="owner"/>.</exception>
    public Lease Enter(object owner)
    {
        // Interlocked on both sides (here and in Close) orders "count me, then look" against "close, then count":
        // either this call sees the gate closed, or Close sees this lease and waits for it.
        Interlocked.Increment(ref _users);
        if (Volatile.Read(ref _closed) != 0)
        {
            Exit();
            throw new ObjectDisposedException(owner.GetType().FullName);
        }
        return new Lease(this);
    }

    /// <summary>
    /// Refuses new leases and waits until every lease out has ended; true for the first call (which should then free
    /// the owner's memory), false for later ones.
    /// </summary>
    public bool Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
            return false;
        lock (_drained)
        {
            while (Volatile.Read(ref _users) > 0)
                Monitor.Wait(_drained);
        }
        return true;
    }

    private void Exit()
    {
        if (Interlocked.Decrement(ref _users) == 0 && Volatile.Read(ref _closed) != 0)
        {
            lock (_drained)
                Monitor.PulseAll(_drained);
        }
    }

    /// <summary>One use of the gate's owner; ends when disposed.</summary>
    public readonly struct Lease : IDisposable
    {
        private readonly UsageGate? _gate;

        internal Lease(UsageGate gate) => _gate = gate;

        /// <summary>Ends the use.</summary>
        public void Dispose() => _gate?.Exit();
    }
}
