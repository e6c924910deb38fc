using System.CommandLine;
using Appliance.Hosting;
using Appliance.Hosting.Backup;
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
        CliContext.AddOptions(command);
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
            await Console.Error.WriteLineAsync("The appliance did not start. Fix the keys above (`appliance config check` re-checks).").ConfigureAwait(false);
            return code;
        }

        await using var bootstrapLogger = ApplianceLogging.CreateBootstrapLogger();
        var bootstrap = bootstrapLogger.ForContext("SourceContext", "Appliance.Serve");
        var paths = AppliancePaths.From(config.Options);
        var opened = ApplianceState.TryOpen(paths);
        if (opened.State is null)
        {
            bootstrap.Fatal("The appliance did not start: {Reason}", opened.Message);
            return opened.Failure switch
            {
                StateOpenFailure.NotWritable => ExitCodes.NotWritable,
                StateOpenFailure.InUse => ExitCodes.InUse,
                StateOpenFailure.DatabaseRefused => ExitCodes.DataRefused,
                _ => ExitCodes.Failure,
            };
        }

        using var state = opened.State;
        await using var logger = ApplianceLogging.CreateLogger(config.Options.Log, paths);
        try
        {
            await using var app = ApplianceHost.Build(config.Options, state, logger);
            app.Services.GetRequiredService<BackupSources>().ConfigFile = config.SourceFile; // archived by the backup schedule
            try
            {
                await app.StartAsync().ConfigureAwait(false);
            }
            catch (IOException e)
            {
                // Kestrel reports a taken port as IOException("Failed to bind to address ...: address already in use").
                logger.Fatal("The appliance did not start: {Reason}", e.Message);
                return ExitCodes.Failure;
            }

            StartupBanner.Write(logger.ForContext("SourceContext", "Appliance.Serve"), config, paths, ApplianceHost.HttpAddresses(app));
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
}
