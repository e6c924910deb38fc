using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Appliance.LoadGen.Measure;
using Appliance.LoadGen.Nodes;
using Appliance.LoadGen.Report;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.TestKit.Noise;

namespace Appliance.LoadGen.Run;

/// <summary>
/// One run, in phases: register N nodes with C in flight (each opens its long poll at once, as tailscaled does);
/// wait until every node holds all N-1 peers (the rest are stuck); R endpoint-change rounds, each timed from the
/// lite update until every other node's netmap shows the new endpoint; J nodes joining one at a time, timed from the
/// register request until every node holds the new peer; a last check that everyone holds everyone.
/// </summary>
internal sealed class LoadRun(LoadOptions options, TextWriter log)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
    private readonly ProbeBoard _probes = new();
    private readonly List<SimNode> _active = [];
    private readonly Lock _activeLock = new();
    private MachinePublic _serverKey;

    public async Task<LoadReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var startedUtc = DateTimeOffset.UtcNow;
        var loadAtStart = LoadAverage();
        var population = options.Nodes + options.Joins;
        _serverKey = await NoiseControlClient.FetchServerKeyAsync(options.Control, CapabilityVersion.TestClient, cancellationToken).ConfigureAwait(false);
        var serverStart = SampleServer();
        try
        {
            var registration = await RegisterAllAsync(cancellationToken).ConfigureAwait(false);
            var afterRegistration = SampleServer();
            var registrationCpu = serverStart is not null && afterRegistration is not null ? afterRegistration.CpuSeconds - serverStart.CpuSeconds : (double?)null;
            registration = registration with
            {
                ServerCpuSeconds = registrationCpu,
                ServerCpuMsPerRegistration = registrationCpu is { } cpu && registration.Succeeded > 0 ? Math.Round(cpu * 1000 / registration.Succeeded, 2) : null,
            };
            log.WriteLine($"registered {registration.Succeeded}/{registration.Nodes} in {registration.WallSeconds:F2} s");

            var convergence = await WaitForConvergenceAsync(options.ConvergeTimeout, cancellationToken).ConfigureAwait(false);
            log.WriteLine(convergence.Converged ? $"converged after {convergence.SecondsAfterLastRegistration:F2} s" : $"{convergence.Stuck} nodes stuck");

            await Task.Delay(options.Settle, cancellationToken).ConfigureAwait(false);
            var settled = SampleServer();

            var endpoint = await EndpointRoundsAsync(population, cancellationToken).ConfigureAwait(false);
            log.WriteLine($"endpoint change: p50 {endpoint.LatencyMs.P50Ms} ms, p99 {endpoint.LatencyMs.P99Ms} ms, missed {endpoint.Missed}");
            var join = await JoinsAsync(population, cancellationToken).ConfigureAwait(false);
            log.WriteLine($"join: p50 {join.LatencyMs.P50Ms} ms, p99 {join.LatencyMs.P99Ms} ms, missed {join.Missed}");
            var final = await WaitForConvergenceAsync(options.RoundTimeout, cancellationToken).ConfigureAwait(false) with { SecondsAfterLastRegistration = null };

            var end = SampleServer();
            var self = ProcessSample.Self();
            return new LoadReport
            {
                Control = options.Control.ToString(),
                StartedUtc = startedUtc,
                Settings = new RunSettings(options.Nodes, options.Concurrency, options.Rounds, options.Joins, options.Light, options.Light ? Math.Min(options.FullNodes, options.Nodes) : options.Nodes, Environment.ProcessorCount, loadAtStart, LoadAverage()),
                Registration = registration,
                Convergence = convergence,
                EndpointChange = endpoint,
                Join = join,
                Final = final,
                Server = options.ServerPid is { } pid && serverStart is not null && afterRegistration is not null && settled is not null && end is not null
                    ? new ServerFigures(pid, serverStart, afterRegistration, settled, end, Math.Round(end.CpuSeconds - serverStart.CpuSeconds, 2), Math.Max(0, settled.RssBytes - serverStart.RssBytes) / Math.Max(1, registration.Succeeded))
                    : null,
                Generator = new ProcessFigures(Math.Round(self.CpuSeconds, 2), self.RssBytes, self.PeakRssBytes),
            };
        }
        finally
        {
            await DisposeNodesAsync().ConfigureAwait(false);
        }
    }

    private async Task<RegistrationResult> RegisterAllAsync(CancellationToken cancellationToken)
    {
        var connect = new ConcurrentBag<double>();
        var register = new ConcurrentBag<double>();
        var failures = new ConcurrentQueue<string>();
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, Math.Min(options.Concurrency, options.Nodes)).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < options.Nodes)
            {
                SimNode node = options.IsFull(index) ? new FullNode(index, Hostname(index), _probes) : new LightNode(index, Hostname(index), _probes);
                try
                {
                    connect.Add((await node.ConnectAsync(options.Control, _serverKey, cancellationToken).ConfigureAwait(false)).TotalMilliseconds);
                    register.Add((await node.RegisterAsync(options.AuthKey).ConfigureAwait(false)).TotalMilliseconds);
                    await node.StartStreamAsync().ConfigureAwait(false);
                    lock (_activeLock)
                    {
                        _active.Add(node);
                    }
                }
                catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or NoiseUpgradeException or System.Net.Sockets.SocketException)
                {
                    failures.Enqueue(e.Message);
                    await node.DisposeAsync().ConfigureAwait(false);
                }
            }
        }).ToList();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        lock (_activeLock)
        {
            _active.Sort((a, b) => a.Index.CompareTo(b.Index));
        }

        var succeeded = _active.Count;
        return new RegistrationResult(
            options.Nodes, succeeded, options.Nodes - succeeded, failures.TryPeek(out var first) ? first : null,
            Math.Round(wall, 3), Math.Round(succeeded / wall, 1), LatencySummary.Of(connect), LatencySummary.Of(register), null, null);
    }

    /// <summary>Waits until every active node holds every other active node, or the timeout; names the nodes that do not.</summary>
    private async Task<ConvergenceResult> WaitForConvergenceAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var expected = _active.Count - 1;
        while (true)
        {
            var stuck = _active.Where(n => n.PeerCount != expected).ToList();
            if (stuck.Count == 0)
            {
                return new ConvergenceResult(expected, true, Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 3), 0, []);
            }

            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                return new ConvergenceResult(expected, false, null, stuck.Count, [.. stuck.Take(50).Select(n => new StuckNode(n.Hostname, n.PeerCount, n.StreamEnded ? n.StreamError ?? "stream ended" : null))]);
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<PropagationResult> EndpointRoundsAsync(int population, CancellationToken cancellationToken)
    {
        var movers = _active.OfType<FullNode>().Where(n => n.NodeId != 0).ToList();
        var latencies = new List<double>();
        var missed = new List<string>();
        var roundMax = new List<double>();
        var receivers = 0;
        for (var round = 0; round < options.Rounds && movers.Count > 0; round++)
        {
            var mover = movers[round * 7919 % movers.Count];
            var watchers = _active.Where(n => n != mover).Select(n => n.Index).ToList();
            receivers = watchers.Count;
            // A fresh endpoint per round in 198.18.0.0/15 (RFC 2544 benchmarking range): unique, never dialled.
            var marker = string.Create(CultureInfo.InvariantCulture, $"198.18.{round / 250}.{(round % 250) + 1}:{41641 + (round % 1000)}");
            var probe = Probe.EndpointChange(mover.NodeId, marker, watchers, population);
            var (l, m) = await MeasureAsync(probe, () => mover.SendEndpointsAsync(marker), cancellationToken).ConfigureAwait(false);
            latencies.AddRange(l);
            roundMax.Add(l.Count == 0 ? 0 : Math.Round(l.Max(), 2));
            missed.AddRange(m.Select(i => $"round {round}: {Hostname(i)}"));
        }

        return new PropagationResult(roundMax.Count, receivers, LatencySummary.Of(latencies), missed.Count, [.. missed.Take(50)], roundMax);
    }

    private async Task<PropagationResult> JoinsAsync(int population, CancellationToken cancellationToken)
    {
        var latencies = new List<double>();
        var missed = new List<string>();
        var roundMax = new List<double>();
        var receivers = 0;
        for (var j = 0; j < options.Joins; j++)
        {
            var index = options.Nodes + j;
            var node = new FullNode(index, Hostname(index), _probes);
            try
            {
                await node.ConnectAsync(options.Control, _serverKey, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await node.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            var watchers = _active.Select(n => n.Index).ToList();
            receivers = watchers.Count;
            var probe = Probe.Join(node.NodeKeyText, watchers, population);
            var (l, m) = await MeasureAsync(probe, async () =>
            {
                await node.RegisterAsync(options.AuthKey).ConfigureAwait(false);
                await node.StartStreamAsync().ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            _active.Add(node);
            latencies.AddRange(l);
            roundMax.Add(l.Count == 0 ? 0 : Math.Round(l.Max(), 2));
            missed.AddRange(m.Select(i => $"join {j}: {Hostname(i)}"));
        }

        return new PropagationResult(roundMax.Count, receivers, LatencySummary.Of(latencies), missed.Count, [.. missed.Take(50)], roundMax);
    }

    /// <summary>Publishes the probe, makes the change, waits for every watcher or the round timeout.</summary>
    private async Task<(List<double> Latencies, List<int> Missed)> MeasureAsync(Probe probe, Func<Task> change, CancellationToken cancellationToken)
    {
        _probes.Current = probe;
        try
        {
            probe.Start();
            await change().ConfigureAwait(false);
            try
            {
                await probe.All.WaitAsync(options.RoundTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The watchers that never saw it are the finding; Outcome names them.
            }

            return probe.Outcome();
        }
        finally
        {
            _probes.Current = null;
            // Let the server go idle between rounds, so each round measures a change on a quiet tailnet.
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    private ProcessSample? SampleServer() => options.ServerPid is { } pid ? ProcessSample.Read(pid) : null;

    private string Hostname(int index) => string.Create(CultureInfo.InvariantCulture, $"{options.Prefix}-{index:D5}");

    private static string? LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private async Task DisposeNodesAsync()
    {
        foreach (var batch in _active.Chunk(256))
        {
            await Task.WhenAll(batch.Select(DisposeQuietlyAsync)).ConfigureAwait(false);
        }

        _active.Clear();
    }

    /// <summary>Closing a node whose stream already failed must not cost the report: the failure is in it already.</summary>
    private async Task DisposeQuietlyAsync(SimNode node)
    {
        try
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.WriteLine($"closing {node.Hostname}: {e.GetType().Name}: {e.Message}");
        }
    }
}
