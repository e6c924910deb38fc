namespace Appliance.Hosting.Health;

/// <summary>
/// Where the process is in its life, for `/ready`: Starting until state is loaded and every listener is bound,
/// Ready while serving, Stopping from the moment a stop is requested (so a load balancer or the update
/// health check stops sending work before connections close).
/// </summary>
public sealed class ReadinessState
{
    private int _phase = (int)ReadinessPhase.Starting;
    private string? _problem;

    public ReadinessPhase Phase => (ReadinessPhase)Volatile.Read(ref _phase);

    /// <summary>Ready and nothing wrong: what `/ready` answers 200 for.</summary>
    public bool IsReady => Phase == ReadinessPhase.Ready && Problem is null;

    /// <summary>Why a started appliance cannot do its work (e.g. the database cannot be written), or null.</summary>
    public string? Problem => Volatile.Read(ref _problem);

    /// <summary>Sets or (with null) clears the problem that makes `/ready` answer 503 while serving.</summary>
    public void SetProblem(string? problem) => Volatile.Write(ref _problem, problem);

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
