using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Appliance.Control.Diagnostics;

/// <summary>
/// Refusals caused by clients (junk Noise handshakes, DERP clients that fail their handshake or are not admitted)
/// are logged one by one at Debug only; this counts them by kind and logs one Information line per
/// <see cref="Period"/> when there were any. One misbehaving client once wrote about 1 MB/s of log with 1,900 junk
/// handshakes per second (issue 15); now it costs one line a minute. Counting is lock-free on the refusal path.
/// </summary>
public sealed partial class ClientRefusalSummary : IDisposable
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly ITimer _timer;

    public ClientRefusalSummary(ILoggerFactory loggers, TimeProvider time, TimeSpan? period = null)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentNullException.ThrowIfNull(time);
        _logger = loggers.CreateLogger("Appliance.ClientRefusals");
        Period = period ?? TimeSpan.FromMinutes(1);
        _timer = time.CreateTimer(static state => ((ClientRefusalSummary)state!).Flush(), this, Period, Period);
    }

    public TimeSpan Period { get; }

    /// <summary>Counts one refusal of <paramref name="kind"/> (e.g. "noise_handshake: bad initiation").</summary>
    public void Record(string kind) => _counts.AddOrUpdate(kind, 1, static (_, n) => n + 1);

    /// <summary>Logs and resets the counts gathered since the last summary; nothing when there were none.</summary>
    public void Flush()
    {
        var taken = new List<KeyValuePair<string, long>>();
        foreach (var kind in _counts.Keys)
        {
            if (_counts.TryRemove(kind, out var count) && count > 0)
            {
                taken.Add(new(kind, count));
            }
        }

        if (taken.Count == 0)
        {
            return;
        }

        var total = taken.Sum(t => t.Value);
        var detail = string.Join(", ", taken.OrderByDescending(t => t.Value).Select(t => $"{t.Key} ×{t.Value}"));
        LogSummary(_logger, total, Period.TotalSeconds, detail);
    }

    public void Dispose()
    {
        _timer.Dispose();
        Flush();
    }

    [LoggerMessage(EventId = 6201, Level = LogLevel.Information, Message = "{Total} connection(s) refused for client errors in the last {Seconds} s: {Detail} (each is logged at Debug)")]
    private static partial void LogSummary(ILogger logger, long total, double seconds, string detail);
}
