using Appliance.Hosting.Configuration;
using Appliance.Hosting.Logging;

namespace Appliance.Hosting.Tests.Logging;

public class ConsoleFormatTests
{
    [Theory]
    [InlineData("INVOCATION_ID", "0123abcd")]
    [InlineData("JOURNAL_STREAM", "8:12345")]
    public void Auto_is_plain_when_systemd_captures_the_output(string variable, string value)
    {
        string? Env(string name) => name == variable ? value : null;

        Assert.Equal(ConsoleLogFormat.Plain, ApplianceLogging.Resolve(ConsoleLogFormat.Auto, Env));
    }

    [Fact]
    public void Auto_is_timestamped_on_a_terminal() =>
        Assert.Equal(ConsoleLogFormat.Timestamped, ApplianceLogging.Resolve(ConsoleLogFormat.Auto, _ => null));

    [Fact]
    public void An_explicit_format_is_kept_under_systemd() =>
        Assert.Equal(ConsoleLogFormat.Json, ApplianceLogging.Resolve(ConsoleLogFormat.Json, _ => "set"));

    [Fact]
    public void The_log_file_rolls_daily_into_the_data_folder_and_holds_structured_events()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"appliance-log-{Guid.NewGuid():N}");
        try
        {
            var paths = AppliancePaths.From(new ApplianceOptions { Server = { DataDir = dir } });
            using (var logger = ApplianceLogging.CreateLogger(new LogOptions { ConsoleFormat = ConsoleLogFormat.Plain }, paths, _ => null))
            {
                logger.Information("Node {NodeId} registered", 42);
                logger.Debug("Below the level, not written");
            }

            var file = Assert.Single(Directory.GetFiles(Path.Combine(dir, "logs"), "appliance*.log"));
            var text = File.ReadAllText(file);
            Assert.Contains("\"NodeId\":42", text, StringComparison.Ordinal);
            Assert.Contains("Node 42 registered", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Below the level", text, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
