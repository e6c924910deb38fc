using System.Text.Json.Serialization;
using Appliance.LoadGen.Measure;

namespace Appliance.LoadGen.Report;

/// <summary>Everything one run measured; serialised as the <c>--json</c> file.</summary>
internal sealed record LoadReport
{
    public required string Control { get; init; }

    public required DateTimeOffset StartedUtc { get; init; }

    public required RunSettings Settings { get; init; }

    public required RegistrationResult Registration { get; init; }

    public required ConvergenceResult Convergence { get; init; }

    public required PropagationResult EndpointChange { get; init; }

    public required PropagationResult Join { get; init; }

    /// <summary>After the joins: nodes that do not hold every other node of the run (expected N + joins - 1).</summary>
    public required ConvergenceResult Final { get; init; }

    public ServerFigures? Server { get; init; }

    public required ProcessFigures Generator { get; init; }

    public bool Ok => Registration.Failed == 0 && Convergence.Stuck == 0 && EndpointChange.Missed == 0 && Join.Missed == 0 && Final.Stuck == 0;
}

internal sealed record RunSettings(int Nodes, int Concurrency, int Rounds, int Joins, bool Light, int FullNodes, int ProcessorCount, string? LoadAverageAtStart, string? LoadAverageAtEnd);

internal sealed record RegistrationResult(
    int Nodes, int Succeeded, int Failed, string? FirstError, double WallSeconds, double PerSecond,
    LatencySummary ConnectMs, LatencySummary RegisterMs, double? ServerCpuSeconds, double? ServerCpuMsPerRegistration);

internal sealed record ConvergenceResult(int ExpectedPeers, bool Converged, double? SecondsAfterLastRegistration, int Stuck, IReadOnlyList<StuckNode> StuckNodes);

/// <summary>A node that never held every peer: its hostname, how many it held, and its stream's error if the stream ended.</summary>
internal sealed record StuckNode(string Hostname, int Peers, string? StreamError);

/// <summary>
/// Latency from the change (a lite endpoint update, or a new node's register request) until each watching node's
/// netmap shows it, over every receiver of every round; <see cref="Missed"/> receivers never saw it within the timeout.
/// </summary>
internal sealed record PropagationResult(int Rounds, int Receivers, LatencySummary LatencyMs, int Missed, IReadOnlyList<string> MissedExamples, IReadOnlyList<double> RoundMaxMs);

internal sealed record ServerFigures(int Pid, ProcessSample Start, ProcessSample AfterRegistration, ProcessSample Settled, ProcessSample End, double CpuSecondsTotal, long RssPerNodeBytes);

internal sealed record ProcessFigures(double CpuSeconds, long RssBytes, long PeakRssBytes);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(LoadReport))]
internal sealed partial class LoadReportJson : JsonSerializerContext;
