using Appliance.Hosting.Startup;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Health;

/// <summary>
/// Checks every <see cref="Interval"/> that the data folder and the database can still be written, and feeds the
/// result to `/ready` (503 "not ready: database cannot be written: ...") and to the `appliance_database_writable`
/// gauge. Two writes, because each catches what the other misses: a real database write (rewriting the header's
/// user_version with its own value) fails on a read-only or locked database; a small fsynced file beside it fails on
/// a full disk, where SQLite can keep overwriting WAL space it already owns. A failing probe never stops the process.
/// </summary>
public sealed partial class DatabaseWriteProbe(ApplianceState state, ReadinessState readiness, TimeProvider time, ILogger<DatabaseWriteProbe> logger)
    : BackgroundService
{
    public const string ProbeFileName = ".write-probe";

    public static TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>1 while the last probe succeeded, 0 after a failure; read by the metrics.</summary>
    public bool Writable { get; private set; } = true;

    public DateTimeOffset? LastSuccess { get; private set; }

    /// <summary>One probe: null when both writes succeeded, else the reason.</summary>
    public string? ProbeOnce()
    {
        try
        {
            WriteProbeFile();
            Appliance.Storage.Database.DatabaseArchive.ProbeWrite(state.Database);
            return null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            return exception.Message;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var problem = await Task.Run(ProbeOnce, stoppingToken).ConfigureAwait(false);
            Report(problem);
            try
            {
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Report(string? problem)
    {
        var wasWritable = Writable;
        Writable = problem is null;
        if (problem is null)
        {
            LastSuccess = time.GetUtcNow();
            readiness.SetProblem(null);
            if (!wasWritable)
            {
                Log.Recovered(logger);
            }

            return;
        }

        readiness.SetProblem("database cannot be written: " + problem);
        if (wasWritable)
        {
            Log.NotWritable(logger, state.Paths.DataDir, problem);
        }
    }

    private void WriteProbeFile()
    {
        var path = Path.Combine(state.Paths.DataDir, ProbeFileName);
        try
        {
            using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
            {
                file.Write(new byte[4096]);
                file.Flush(flushToDisk: true);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6001, Level = LogLevel.Error, Message = "The data folder {DataDir} or its database cannot be written ({Problem}); /ready answers 503 until it can")]
        public static partial void NotWritable(ILogger logger, string dataDir, string problem);

        [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "The database can be written again; /ready answers 200")]
        public static partial void Recovered(ILogger logger);
    }
}
