using Appliance.Hosting.Configuration;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Json;
using Serilog.Sinks.SystemConsole.Themes;

namespace Appliance.Hosting.Logging;

/// <summary>
/// Builds the Serilog pipeline: the console (under systemd: journald's native socket, one entry per event, see
/// <see cref="JournalSink"/>; plain unstamped lines when the socket is missing) and a daily, size-capped rolling
/// JSON-lines file in the data folder. The bootstrap logger exists before the config is read, so a
/// startup failure is still logged; the file sink is added only after the data folder lock is held, so a refused
/// second instance writes nothing into the folder it does not own.
/// </summary>
public static class ApplianceLogging
{
    private const string PlainTemplate = "{SyslogPriority}{SourceContext}: {Message:lj}{NewLine}{Exception}";
    private const string TimestampedTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>Console only, Information and up: used until the configuration is loaded.</summary>
    public static Logger CreateBootstrapLogger() =>
        ConsoleSink(new LoggerConfiguration().MinimumLevel.Information(), ConsoleLogFormat.Auto, Environment.GetEnvironmentVariable)
            .CreateLogger();

    public static Logger CreateLogger(LogOptions log, AppliancePaths paths) =>
        CreateLogger(log, paths, Environment.GetEnvironmentVariable, JournalSink.DefaultSocketPath);

    /// <param name="journalSocket">journald's native socket; used instead of stdout when the plain (systemd) format
    /// is in effect and it exists. Null: stdout only.</param>
    public static Logger CreateLogger(LogOptions log, AppliancePaths paths, Func<string, string?> getEnvironment, string? journalSocket = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(paths);
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is((LogEventLevel)log.Level)
            // ASP.NET Core logs every request at Information; keep the framework quiet unless asked for Debug. That
            // includes Microsoft.Hosting.Lifetime ("Now listening on: http://noise:ts2021", "Press Ctrl+C"): serve's
            // own banner says where it listens, once.
            .MinimumLevel.Override("Microsoft", Max(LogEventLevel.Warning, (LogEventLevel)log.Level))
            // The host logs a failed start with its whole stack trace; serve reports it as one line with its exit code.
            .MinimumLevel.Override("Microsoft.Extensions.Hosting.Internal.Host", Max(LogEventLevel.Fatal, (LogEventLevel)log.Level))
            .Enrich.FromLogContext();
        ConsoleSink(configuration, log.ConsoleFormat, getEnvironment, journalSocket);
        if (paths.LogFile is { } file)
        {
            // Rolls daily and at file_size_limit_mb (appliance20261125_001.log ...); retained_files bounds the count.
            configuration.WriteTo.File(
                new JsonFormatter(renderMessage: true),
                file,
                rollingInterval: RollingInterval.Day,
                fileSizeLimitBytes: log.FileSizeLimitMb * 1024L * 1024L,
                rollOnFileSizeLimit: true,
                retainedFileCountLimit: log.RetainedFiles,
                flushToDiskInterval: TimeSpan.FromSeconds(1));
        }

        return configuration.CreateLogger();
    }

    /// <summary>The console format in effect after resolving `auto`.</summary>
    public static ConsoleLogFormat Resolve(ConsoleLogFormat format, Func<string, string?> getEnvironment) =>
        format != ConsoleLogFormat.Auto ? format
        : JournalDetection.IsCapturedByJournal(getEnvironment) ? ConsoleLogFormat.Plain
        : ConsoleLogFormat.Timestamped;

    private static LoggerConfiguration ConsoleSink(LoggerConfiguration configuration, ConsoleLogFormat format, Func<string, string?> getEnvironment, string? journalSocket = null)
    {
        switch (Resolve(format, getEnvironment))
        {
            case ConsoleLogFormat.Json:
                configuration.WriteTo.Console(new JsonFormatter(renderMessage: true));
                break;
            case ConsoleLogFormat.Plain when journalSocket is not null && JournalSink.IsAvailable(journalSocket):
                // One journal entry per event, whatever its line count; stdout (plain lines) only if a send fails.
                var plain = new LoggerConfiguration().MinimumLevel.Verbose().Enrich.With<SyslogPriorityEnricher>()
                    .WriteTo.Console(outputTemplate: PlainTemplate, theme: ConsoleTheme.None, formatProvider: System.Globalization.CultureInfo.InvariantCulture)
                    .CreateLogger();
                configuration.WriteTo.Sink(new JournalSink(journalSocket, plain));
                break;
            case ConsoleLogFormat.Plain:
                configuration.Enrich.With<SyslogPriorityEnricher>()
                    .WriteTo.Console(outputTemplate: PlainTemplate, theme: ConsoleTheme.None, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
                break;
            default:
                configuration.WriteTo.Console(outputTemplate: TimestampedTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
                break;
        }

        return configuration;
    }

    private static LogEventLevel Max(LogEventLevel a, LogEventLevel b) => a > b ? a : b;
}
