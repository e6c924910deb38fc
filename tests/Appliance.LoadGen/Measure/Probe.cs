using System.Diagnostics;
using System.Text;

namespace Appliance.LoadGen.Measure;

/// <summary>
/// One thing every watching node must see: an endpoint change of <see cref="MoverId"/> carrying <see cref="Marker"/>
/// (a unique endpoint in 198.18.0.0/15, the benchmarking range, never dialled), or a new peer with node key
/// <see cref="JoinKey"/>. Nodes report their first sight with <see cref="Arrive"/>; the probe keeps one arrival
/// time per node index and completes when every watcher has arrived.
/// </summary>
internal sealed class Probe
{
    private readonly long[] _arrivals;
    private readonly bool[] _watching;
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _remaining;

    private Probe(long moverId, string? marker, string? joinKey, IReadOnlyList<int> watchers, int population)
    {
        MoverId = moverId;
        Marker = marker;
        MarkerUtf8 = marker is null ? [] : Encoding.UTF8.GetBytes(marker);
        JoinKey = joinKey;
        JoinKeyUtf8 = joinKey is null ? [] : Encoding.UTF8.GetBytes(joinKey);
        _arrivals = new long[population];
        _watching = new bool[population];
        foreach (var index in watchers)
        {
            _watching[index] = true;
        }

        _remaining = watchers.Count;
        if (_remaining == 0)
        {
            _all.TrySetResult();
        }
    }

    public long MoverId { get; }

    public string? Marker { get; }

    public byte[] MarkerUtf8 { get; }

    public string? JoinKey { get; }

    public byte[] JoinKeyUtf8 { get; }

    /// <summary>Stopwatch timestamp when the change was sent; set by <see cref="Start"/>.</summary>
    public long Started { get; private set; }

    public Task All => _all.Task;

    public static Probe EndpointChange(long moverId, string marker, IReadOnlyList<int> watchers, int population) =>
        new(moverId, marker, null, watchers, population);

    public static Probe Join(string nodeKey, IReadOnlyList<int> watchers, int population) =>
        new(0, null, nodeKey, watchers, population);

    public void Start() => Started = Stopwatch.GetTimestamp();

    /// <summary>Node <paramref name="index"/> has seen the change; only its first report counts.</summary>
    public void Arrive(int index)
    {
        if ((uint)index >= (uint)_watching.Length || !_watching[index])
        {
            return;
        }

        var now = Math.Max(Stopwatch.GetTimestamp(), 1);
        if (Interlocked.CompareExchange(ref _arrivals[index], now, 0) == 0 && Interlocked.Decrement(ref _remaining) == 0)
        {
            _all.TrySetResult();
        }
    }

    /// <summary>Milliseconds from <see cref="Start"/> to each watcher's arrival, and the watchers that never arrived.</summary>
    public (List<double> LatenciesMs, List<int> Missed) Outcome()
    {
        var latencies = new List<double>();
        var missed = new List<int>();
        for (var i = 0; i < _arrivals.Length; i++)
        {
            if (!_watching[i])
            {
                continue;
            }

            var at = Volatile.Read(ref _arrivals[i]);
            if (at == 0)
            {
                missed.Add(i);
            }
            else
            {
                // A node may have seen it before Start() returned on a fast server: count that as zero, never negative.
                latencies.Add(Math.Max(0, Stopwatch.GetElapsedTime(Started, at).TotalMilliseconds));
            }
        }

        return (latencies, missed);
    }
}

/// <summary>The probe the nodes currently check their messages against (null between measurements).</summary>
internal sealed class ProbeBoard
{
    private Probe? _current;

    public Probe? Current
    {
        get => Volatile.Read(ref _current);
        set => Volatile.Write(ref _current, value);
    }
}
