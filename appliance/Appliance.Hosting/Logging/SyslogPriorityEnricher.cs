using Serilog.Core;
using Serilog.Events;

namespace Appliance.Hosting.Logging;

/// <summary>
/// Adds `SyslogPriority`, the `&lt;N&gt;` prefix journald reads from a line (sd-daemon(3), SyslogLevelPrefix=yes is
/// the default), so `journalctl -p warning` filters the appliance's lines by their Serilog level.
/// </summary>
internal sealed class SyslogPriorityEnricher : ILogEventEnricher
{
    public const string PropertyName = "SyslogPriority";

    private static readonly LogEventProperty[] Priorities =
    [
        new(PropertyName, new ScalarValue("<7>")), // Verbose: debug
        new(PropertyName, new ScalarValue("<7>")), // Debug: debug
        new(PropertyName, new ScalarValue("<6>")), // Information: info
        new(PropertyName, new ScalarValue("<4>")), // Warning: warning
        new(PropertyName, new ScalarValue("<3>")), // Error: err
        new(PropertyName, new ScalarValue("<2>")), // Fatal: crit
    ];

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        logEvent.AddPropertyIfAbsent(Priorities[(int)logEvent.Level]);
    }
}
