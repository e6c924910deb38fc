namespace Appliance.Hosting.Health;

/// <summary>
/// Where the process is in its life, for `/ready`: Starting until state is loaded and every listener is bound,
/// Ready while serving, Stopping from the moment a stop is requested (so a load balancer or the update
/// health check stops sending work before connections close).
/// </summary>
public sealed class ReadinessState
{
    private int _phase = (int)ReadinessPhase.Starting;

    public ReadinessPhase Phase => (ReadinessPhase)Volatile.Read(ref _phase);

    public bool IsReady => Phase == ReadinessPhase.Ready;

    /// <summary>Marks the process ready, unless a stop has already begun.</summary>
    public void MarkReady() => Interlocked.CompareExchange(ref _phase, (int)ReadinessPhase.Ready, (int)ReadinessPhase.Starting);

    public void MarkStopping() => Volatile.Write(ref _phase, (int)ReadinessPhase.Stopping);
}

public enum ReadinessPhase
{
    Starting,
    Ready,
    Stopping,
}
