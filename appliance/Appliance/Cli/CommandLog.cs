using Appliance.Hosting.Logging;
using Serilog;
using Serilog.Extensions.Logging;

namespace Appliance.Cli;

/// <summary>
/// A logger for a verb that reports events rather than output (`update recover` before each start): under systemd one
/// journal entry per event with its APPLIANCE_EVENT_ID (<see cref="JournalSink"/>), elsewhere plain lines on the
/// command's error writer, never on its output (which `-o json` keeps parseable).
/// </summary>
internal static class CommandLog
{
    private const string Template = "{Level:u3} [{EventId}] {Message:lj}{NewLine}";

    public static Microsoft.Extensions.Logging.ILoggerFactory Create(TextWriter error)
    {
        var plain = new LoggerConfiguration().MinimumLevel.Information()
            .WriteTo.TextWriter(error, outputTemplate: Template, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
        var configuration = JournalDetection.IsCapturedByJournal(Environment.GetEnvironmentVariable) && JournalSink.IsAvailable()
            ? new LoggerConfiguration().MinimumLevel.Information().WriteTo.Sink(new JournalSink(JournalSink.DefaultSocketPath, plain.CreateLogger()))
            : plain;
        return new SerilogLoggerFactory(configuration.CreateLogger(), dispose: true);
    }
}
