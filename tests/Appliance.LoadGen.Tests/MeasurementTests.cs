using Appliance.LoadGen.Measure;
using Appliance.LoadGen.Run;

namespace Appliance.LoadGen.Tests;

public sealed class MeasurementTests
{
    [Fact]
    public void Percentiles_are_nearest_rank_over_the_samples()
    {
        var summary = LatencySummary.Of(Enumerable.Range(1, 100).Select(i => (double)i));
        Assert.Equal(new LatencySummary(100, 50, 90, 99, 100), summary);
        Assert.Equal(new LatencySummary(1, 7, 7, 7, 7), LatencySummary.Of([7]));
        Assert.Equal(0, LatencySummary.Of([]).Count);
    }

    [Fact]
    public void Proc_stat_is_read_after_the_last_parenthesis_so_a_command_name_with_spaces_cannot_shift_fields()
    {
        var stat = "4242 (dotnet (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 30 0 1234 567 890";
        var sample = ProcessSample.Parse(stat, ["Name:\tdotnet", "VmHWM:\t  204800 kB", "VmRSS:\t  102400 kB"]);

        Assert.Equal(3.25, sample.CpuSeconds);
        Assert.Equal(100L << 20, sample.RssBytes);
        Assert.Equal(200L << 20, sample.PeakRssBytes);
        Assert.Throws<FormatException>(() => ProcessSample.Parse("4242 dotnet S 1", []));
    }

    [Fact]
    public void This_process_can_be_sampled_from_proc_and_a_missing_one_reads_as_null()
    {
        var self = ProcessSample.Read(Environment.ProcessId);
        Assert.NotNull(self);
        Assert.True(self.RssBytes > 1 << 20);
        Assert.Null(ProcessSample.Read(int.MaxValue));
    }

    [Fact]
    public void Options_report_every_problem_at_once_and_default_the_rest()
    {
        var (bad, errors) = LoadOptions.Parse(["--nodes", "1", "--bogus", "--control", "ftp://x", "--settle", "-1", "--prefix", "a b"]);
        Assert.Null(bad);
        Assert.Contains(errors, e => e.Contains("--key is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("--nodes '1'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'--bogus'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ftp://x", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("--settle", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("--prefix", StringComparison.Ordinal));

        var (options, none) = LoadOptions.Parse(["--control", "http://127.0.0.1:8080", "--key", "k", "--light", "--full-nodes", "5", "--nodes", "1000", "--server-pid", "77"]);
        Assert.Empty(none);
        Assert.Equal((1000, 32, 20, 10, 77), (options!.Nodes, options.Concurrency, options.Rounds, options.Joins, options.ServerPid));
        Assert.True(options.IsFull(4));
        Assert.False(options.IsFull(5));
        Assert.Equal(TimeSpan.FromSeconds(110), options.ConvergeTimeout);
    }
}
