using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Serialization;
using Appliance.LoadGen.Measure;

namespace Appliance.LoadGen.Derp;

/// <summary>
/// Runs the DERP throughput measurements: per round, every pair count once (interleaved, so that load changes on a
/// shared machine hit every pair count alike). Each measurement connects fresh pairs, warms up, then relays
/// <see cref="DerpLoadOptions.Packets"/> packets and reads wall time, the relay's CPU seconds (/proc, when
/// <c>--server-pid</c> is given) and the generator's own CPU. CPU seconds per GB relayed is the figure that the
/// machine's load does not inflate much; Gbit/s per relay core = bits relayed / relay CPU seconds.
/// </summary>
internal sealed class DerpLoadRun(DerpLoadOptions options, TextWriter log)
{
    public async Task<DerpLoadReport> RunAsync(CancellationToken cancellationToken)
    {
        var host = options.Derp.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? new[] { literal } : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var relay = new IPEndPoint(addresses[0], options.Derp.Port);
        // One unrecorded pass at the largest pair count first: a fresh relay spends its first seconds compiling its
        // packet path (tiered JIT), which on a loaded machine otherwise lands in the first measurements' CPU figures.
        var warmUp = await MeasureAsync(relay, host, 0, options.Pairs.Max(), cancellationToken);
        log.WriteLine("warm-up: " + warmUp.Describe());
        var results = new List<DerpMeasurement>();
        if (!warmUp.Ok)
        {
            // A relay that drops or stalls now will do so in every round: report it (round 0) and stop.
            results.Add(warmUp);
            return Report(results);
        }

        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var pairs in options.Pairs)
            {
                var measurement = await MeasureAsync(relay, host, round, pairs, cancellationToken);
                log.WriteLine(measurement.Describe());
                results.Add(measurement);
            }
        }

        return Report(results);
    }

    private DerpLoadReport Report(List<DerpMeasurement> results) =>
        new(options.Derp.ToString(), DateTimeOffset.UtcNow, options.Size, options.Window, options.Packets, Environment.ProcessorCount, results);

    private async Task<DerpMeasurement> MeasureAsync(IPEndPoint relay, string host, int round, int pairs, CancellationToken cancellationToken)
    {
        var perPair = Math.Max(1, options.Packets / pairs);
        var loadStart = LoadAverage();
        try
        {
            await using var connected = await DerpPairs.ConnectAsync(relay, host, pairs, options.StallTimeout, cancellationToken);
            // Warm-up: JIT, pools and socket buffers on both sides, outside the measured part.
            await connected.RunAsync(Math.Max(1, perPair / 10), options.Size, options.Window, options.StallTimeout, cancellationToken);
            var server = options.ServerPid is { } pid ? ProcessSample.Read(pid) : null;
            var self = ProcessSample.Self();
            var clock = Stopwatch.StartNew();
            await connected.RunAsync(perPair, options.Size, options.Window, options.StallTimeout, cancellationToken);
            var seconds = clock.Elapsed.TotalSeconds;
            var serverAfter = options.ServerPid is { } pid2 ? ProcessSample.Read(pid2) : null;
            var selfAfter = ProcessSample.Self();
            var packets = (long)perPair * pairs;
            var bytes = packets * options.Size;
            double? serverCpu = server is not null && serverAfter is not null ? serverAfter.CpuSeconds - server.CpuSeconds : null;
            return new DerpMeasurement(
                round, pairs, packets, seconds, bytes * 8 / seconds / 1e9, packets / seconds,
                serverCpu, serverCpu / (bytes / 1e9), serverCpu > 0 ? bytes * 8 / serverCpu / 1e9 : null,
                selfAfter.CpuSeconds - self.CpuSeconds, serverAfter?.RssBytes, loadStart, LoadAverage(), Error: null);
        }
        catch (Exception e) when (e is TimeoutException or IOException or System.Net.Sockets.SocketException)
        {
            return new DerpMeasurement(round, pairs, 0, 0, 0, 0, null, null, null, 0, null, loadStart, LoadAverage(), e.Message);
        }
    }

    private static string? LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return null;
        }
    }
}

internal sealed record DerpMeasurement(
    int Round, int Pairs, long Packets, double Seconds, double Gbps, double PacketsPerSecond,
    double? ServerCpuSeconds, double? ServerCpuSecondsPerGB, double? GbpsPerServerCore, double GeneratorCpuSeconds,
    long? ServerRssBytes, string? LoadAverageAtStart, string? LoadAverageAtEnd, string? Error)
{
    public bool Ok => Error is null;

    public string Describe() => Ok
        ? string.Create(CultureInfo.InvariantCulture,
            $"round {Round} pairs {Pairs,3}: {Gbps,5:F2} Gbit/s {PacketsPerSecond / 1000,6:F1}k pps | relay CPU {ServerCpuSeconds,6:F2} s = {ServerCpuSecondsPerGB,5:F2} s/GB = {GbpsPerServerCore,5:F2} Gbit/s per core | generator CPU {GeneratorCpuSeconds:F2} s | load {LoadAverageAtStart} -> {LoadAverageAtEnd}")
        : $"round {Round} pairs {Pairs,3}: FAILED {Error}";
}

internal sealed record DerpLoadReport(string Derp, DateTimeOffset FinishedUtc, int PacketSize, int Window, int PacketsPerMeasurement, int ProcessorCount, IReadOnlyList<DerpMeasurement> Measurements)
{
    public bool Ok => Measurements.All(m => m.Ok);

    /// <summary>Medians per pair count over the rounds (the figures docs/benchmarks.md records).</summary>
    public string Summary()
    {
        var lines = new List<string> { "pairs | median Gbit/s | median relay CPU s/GB | median Gbit/s per relay core | rounds ok" };
        foreach (var group in Measurements.GroupBy(m => m.Pairs))
        {
            var ok = group.Where(m => m.Ok).ToList();
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{group.Key,5} | {Median(ok.Select(m => m.Gbps)),13:F2} | {Median(ok.Where(m => m.ServerCpuSecondsPerGB is not null).Select(m => m.ServerCpuSecondsPerGB!.Value)),21:F2} | {Median(ok.Where(m => m.GbpsPerServerCore is not null).Select(m => m.GbpsPerServerCore!.Value)),28:F2} | {ok.Count}/{group.Count()}"));
        }

        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(DerpLoadReport))]
internal sealed partial class DerpLoadReportJson : JsonSerializerContext;
