using Appliance.Control.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Appliance.Control.Tests;

/// <summary>A flood of client refusals costs one Information line per period, with the count of each kind.</summary>
public sealed class ClientRefusalSummaryTests
{
    [Fact]
    public void Refusals_are_summarised_once_per_period_and_nothing_is_logged_for_a_quiet_period()
    {
        // The period's timer is not reached in this test; Flush is what the timer calls.
        var logs = new ListLoggerFactory();
        using var summary = new ClientRefusalSummary(logs, TimeProvider.System, TimeSpan.FromHours(1));

        for (var i = 0; i < 1900; i++)
        {
            summary.Record("noise handshake: BadInitiation");
        }

        summary.Record("derp: HandshakeFailed");
        Assert.Empty(logs.Lines);

        summary.Flush();
        var line = Assert.Single(logs.Lines);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Contains("1901 connection(s) refused", line.Text, StringComparison.Ordinal);
        Assert.Contains("noise handshake: BadInitiation ×1900", line.Text, StringComparison.Ordinal);
        Assert.Contains("derp: HandshakeFailed ×1", line.Text, StringComparison.Ordinal);

        summary.Flush();
        Assert.Single(logs.Lines);
    }

    private sealed class ListLoggerFactory : ILoggerFactory, ILogger
    {
        public List<(LogLevel Level, string Text)> Lines { get; } = [];

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => this;

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add((logLevel, formatter(state, exception)));
    }
}
