using System.Diagnostics;
using System.Globalization;

namespace Appliance.LoadGen.Measure;

/// <summary>A process's CPU seconds (user + system) and resident memory at one moment, read from /proc (same host only).</summary>
internal sealed record ProcessSample(double CpuSeconds, long RssBytes, long PeakRssBytes)
{
    // USER_HZ: /proc/<pid>/stat counts CPU in clock ticks of 1/100 s on every Linux ABI (proc(5), "sysconf(_SC_CLK_TCK)").
    private const double TicksPerSecond = 100;

    /// <summary>Reads /proc/<paramref name="pid"/>/stat and /status; null when the process is gone or unreadable.</summary>
    public static ProcessSample? Read(int pid, string procRoot = "/proc")
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "stat"));
            var status = File.ReadAllLines(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "status"));
            return Parse(stat, status);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The generator's own figures (the runtime's counters, no /proc needed).</summary>
    public static ProcessSample Self()
    {
        using var self = Process.GetCurrentProcess();
        return new ProcessSample(self.TotalProcessorTime.TotalSeconds, self.WorkingSet64, self.PeakWorkingSet64);
    }

    /// <summary>
    /// stat: the command name (field 2) is in parentheses and may hold spaces, so fields are counted after the last ')':
    /// state is field 3, utime 14, stime 15. status: "VmRSS:  1234 kB", "VmHWM: ...".
    /// </summary>
    public static ProcessSample Parse(string stat, IEnumerable<string> status)
    {
        ArgumentNullException.ThrowIfNull(stat);
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            throw new FormatException("no ')' in /proc stat line");
        }

        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 13)
        {
            throw new FormatException("short /proc stat line");
        }

        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return new ProcessSample(ticks / TicksPerSecond, StatusKb(status, "VmRSS:") * 1024, StatusKb(status, "VmHWM:") * 1024);
    }

    private static long StatusKb(IEnumerable<string> status, string name)
    {
        var line = status.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal));
        if (line is null)
        {
            return 0;
        }

        var value = line[name.Length..].Trim();
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        return long.Parse(space < 0 ? value : value[..space], CultureInfo.InvariantCulture);
    }
}
