using System.Globalization;
using Appliance.Hosting.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Serilog.Formatting.Display;

namespace Appliance.Cli;

/// <summary>
/// A logger for a verb that reports events rather than output (`update recover` before each start): under systemd one
/// journal entry per event with its APPLIANCE_EVENT_ID (<see cref="JournalSink"/>), elsewhere plain lines on the
/// command's error writer, never on its output (which `-o json` keeps parseable).
/// </summary>
internal static class CommandLog
{
    public static Microsoft.Extensions.Logging.ILoggerFactory Create(TextWriter error)
    {
        var plain = new ErrorWriterSink(error);
        var configuration = new LoggerConfiguration().MinimumLevel.Information();
        configuration = JournalDetection.IsCapturedByJournal(Environment.GetEnvironmentVariable) && JournalSink.IsAvailable()
            ? configuration.WriteTo.Sink(new JournalSink(JournalSink.DefaultSocketPath, plain))
            : configuration.WriteTo.Sink(plain);
        return new SerilogLoggerFactory(configuration.CreateLogger(), dispose: true);
    }

    /// <summary>"WRN [8021] message" lines on the command's error writer.</summary>
    private sealed class ErrorWriterSink(TextWriter error) : ILogEventSink
    {
        private readonly MessageTemplateTextFormatter _format = new("{Level:u3} [{EventId}] {Message:lj}{NewLine}", CultureInfo.InvariantCulture);

        public void Emit(LogEvent logEvent)
        {
            var id = logEvent.Properties.TryGetValue("EventId", out var value) && value is StructureValue s
                && s.Properties.FirstOrDefault(p => p.Name == "Id")?.Value is { } number
                ? number
                : new ScalarValue(0);
            var flat = new LogEvent(logEvent.Timestamp, logEvent.Level, logEvent.Exception, logEvent.MessageTemplate,
                [.. logEvent.Properties.Where(p => p.Key != "EventId").Select(p => new LogEventProperty(p.Key, p.Value)), new LogEventProperty("EventId", id)]);
            _format.Format(flat, error);
        }
    }
}
