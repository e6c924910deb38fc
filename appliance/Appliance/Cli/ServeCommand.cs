using System.CommandLine;
using Appliance.Hosting;
using Appliance.Hosting.Backup;
using Appliance.Hosting.Cluster;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Logging;
using Appliance.Hosting.Startup;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;

namespace Appliance.Cli;

/// <summary>
/// `appliance serve`: load and validate the configuration (exit 78 naming the key), take the data folder and open
/// the state (distinct exit codes, nothing written on refusal), build the host, bind, report ready, and on
/// SIGTERM stop gracefully within server.shutdown_timeout and exit 0.
/// </summary>
public static class ServeCommand
{
    private static readonly Option<string?> Listen = new("--listen")
    {
        Description = "HTTP listen address IP:PORT; overrides server.listen and APPLIANCE_LISTEN.",
    };

    public static Command Create()
    {
        var command = new Command("serve", "Run the appliance: control server, admin socket, DERP and the local CA.");
        command.Options.Add(Listen);
        command.SetAction((parse, _) =>
        {
            var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
            if (parse.GetValue(Listen) is { Length: > 0 } listen)
            {
                overrides["APPLIANCE_LISTEN"] = listen;
            }

            return RunAsync(CliConfig.Load(parse, overrides));
        });
        return command;
    }

    public static async Task<int> RunAsync(ConfigLoadResult config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!config.IsValid)
        {
            var code = CliConfig.ReportProblems(config, Console.Error);
            await Console.Error.WriteLineAsync($"The appliance did not start. Fix the keys above (`appliance config check` re-checks). (exit {code})").ConfigureAwait(false);
            return code;
        }

        await using var bootstrapLogger = ApplianceLogging.CreateBootstrapLogger();
        var bootstrap = bootstrapLogger.ForContext("SourceContext", "Appliance.Serve");
        var paths = AppliancePaths.From(config.Options);
        ServiceHome.Ensure(paths.DataDir);
        if (ListenerPreflight.FirstProblem(config.Options) is { } listenProblem)
        {
            bootstrap.Fatal("The appliance did not start: {Reason} (exit {ExitCode})", listenProblem, ExitCodes.Failure);
            return ExitCodes.Failure;
        }

        var opened = await OpenStateAsync(paths, config.Options.Database).ConfigureAwait(false);
        if (opened.State is null)
        {
            var exit = opened.Failure switch
            {
                StateOpenFailure.NotWritable => ExitCodes.NotWritable,
                StateOpenFailure.InUse => ExitCodes.InUse,
                StateOpenFailure.DatabaseRefused => ExitCodes.DataRefused,
                _ => ExitCodes.Failure,
            };
            bootstrap.Fatal("The appliance did not start: {Reason} (exit {ExitCode})", opened.Message, exit);
            return exit;
        }

        using var state = opened.State;
        await using var rootLogger = ApplianceLogging.CreateLogger(config.Options.Log, paths);
        var logger = rootLogger.ForContext("SourceContext", "Appliance.Serve");

        // Several appliances on one database: the shared Noise key, and the settings that must agree (docs/ops/ha.md).
        if (ClusterStartup.Prepare(config.Options, state, TimeProvider.System) is { } clusterRefusal)
        {
            logger.Fatal("The appliance did not start: {Reason} (exit {ExitCode})", clusterRefusal, ExitCodes.Config);
            return ExitCodes.Config;
        }

        try
        {
            await using var app = ApplianceHost.Build(config.Options, state, rootLogger);
            app.Services.GetRequiredService<BackupSources>().ConfigFile = config.SourceFile; // archived by the backup schedule
            try
            {
                await app.StartAsync().ConfigureAwait(false);
            }
            catch (IOException e)
            {
                // Kestrel reports a taken port as IOException("Failed to bind to address ...: address already in use"):
                // one line, no stack trace (the host's own report of it is filtered in ApplianceLogging).
                logger.Fatal("The appliance did not start: {Reason} (exit {ExitCode})", e.Message, ExitCodes.Failure);
                return ExitCodes.Failure;
            }

            StartupBanner.Write(logger, config, paths, ApplianceHost.HttpAddresses(app));
            await app.WaitForShutdownAsync().ConfigureAwait(false);
            logger.Information("Stopped cleanly");
            return ExitCodes.Ok;
        }
#pragma warning disable CA1031 // The last line of defence: log why the service died instead of an unlogged crash.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.Fatal(e, "The appliance stopped on an unexpected error");
            return ExitCodes.Failure;
        }
    }

    /// <summary>How long serve waits for a data folder held by a short CLI call (a verb working on the database).</summary>
    public static readonly TimeSpan LockWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Opens the state, waiting up to <see cref="LockWait"/> while the folder is in use: an operator command that
    /// opened the database directly holds the lock for a moment, and a service started then (systemd, a restart
    /// by `update import`) must not fail with 75 and restart-loop for it. A second service keeps it past the wait.
    /// </summary>
    private static async Task<StateOpenResult> OpenStateAsync(AppliancePaths paths, DatabaseOptions database)
    {
        var deadline = DateTimeOffset.UtcNow + LockWait;
        while (true)
        {
            var opened = ApplianceState.TryOpen(paths, database);
            if (opened.Failure != StateOpenFailure.InUse || DateTimeOffset.UtcNow >= deadline)
            {
                return opened;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200)).ConfigureAwait(false);
        }
    }
}
