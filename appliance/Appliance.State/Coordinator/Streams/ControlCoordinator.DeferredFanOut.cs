namespace Appliance.State.Coordinator;

/// <summary>
/// A registration's announcement held back for the node's own stream (issue 16: registration cost flat in N). A new
/// node registers, then opens its map stream at once; fanned out separately, its peers' streams would each be woken
/// and written to twice for the one join (three times before the map request and the connect became one fan-out).
/// Held back, the registration is published on the writer as always (the snapshot and the change log have it), but
/// the fan-out is left to whichever command fans out next (normally the node's stream connect), so every peer gets
/// one merged delta; a one-shot timer bounds the wait to <see cref="CoordinatorOptions.CoalesceWindow"/> for a node
/// that never connects. With a zero window nothing is held back.
/// </summary>
public sealed partial class ControlCoordinator
{
    private ITimer? _deferredFanOut;
    private int _deferredArmed;

    /// <summary>Like <see cref="Write{T}"/>, but the fan-out waits for the next command's or at most the window.</summary>
    internal T WriteDeferringFanOut<T>(Func<T> body)
    {
        if (_options.CoalesceWindow <= TimeSpan.Zero || _write.IsHeldByCurrentThread)
        {
            return Write(body);
        }

        T result;
        lock (_write)
        {
            result = body();
        }

        ArmDeferredFanOut();
        return result;
    }

    private void ArmDeferredFanOut()
    {
        if (Interlocked.Exchange(ref _deferredArmed, 1) == 1)
        {
            return;
        }

        var timer = LazyInitializer.EnsureInitialized(ref _deferredFanOut, () => _time.CreateTimer(
            static state => ((ControlCoordinator)state!).RunDeferredFanOut(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        timer.Change(_options.CoalesceWindow, Timeout.InfiniteTimeSpan);
    }

    private void RunDeferredFanOut()
    {
        // Cleared before the fan-out reads the snapshot: a change published after this re-arms the timer.
        Volatile.Write(ref _deferredArmed, 0);
        Guarded("fan-out", Streams.FanOut);
    }
}
