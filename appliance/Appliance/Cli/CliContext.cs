using Appliance.Hosting.Configuration;
using System.CommandLine;

namespace Appliance.Cli;

/// <summary>
/// Where operator commands find the appliance: the data folder from the configuration as `serve` reads it
/// (`--data-dir`, else APPLIANCE_DATA_DIR, else server.data_dir from `--config` or /etc/appliance/appliance.yaml,
/// else the installed /var/lib/appliance when it exists, else `./data`), so the CLI always finds the admin socket of
/// the service started with the same settings (the installed one: /run/appliance/admin.sock).
/// </summary>
public sealed class CliContext
{
    public const string DataDirOptionName = "--data-dir";
    public const string ConfigOptionName = "--config";
    public const string DataDirEnvironment = "APPLIANCE_DATA_DIR";
    public const string DefaultDataDir = "./data";

    private CliContext(string dataDirectory, string? configPath, ConfigLoadResult config)
    {
        Config = config;
        DataDirectory = dataDirectory;
        ConfigPath = configPath;
    }

    /// <summary>Absolute path of the data folder.</summary>
    public string DataDirectory { get; }

    public string? ConfigPath { get; }

    /// <summary>The configuration as loaded for this command, with any problems it has.</summary>
    public ConfigLoadResult Config { get; }

    public string AdminSocketPath => InstalledLayout.AdminSocketFor(DataDirectory);

    /// <summary>
    /// Adds `--data-dir` and `-c/--config` to the root; recursive, so they work before or after any verb
    /// (`appliance -c FILE users list`, `appliance users list --config FILE`).
    /// </summary>
    public static void AddGlobalOptions(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        root.Options.Add(new Option<string?>(DataDirOptionName)
        {
            Description = $"The data folder (default: ${DataDirEnvironment}, else server.data_dir, else {InstalledLayout.DataDir} when installed, else {DefaultDataDir}).",
            HelpName = "DIR",
            Recursive = true,
        });
        root.Options.Add(new Option<string?>(ConfigOptionName, "-c")
        {
            Description = "The configuration file (YAML).",
            HelpName = "FILE",
            Recursive = true,
        });
    }

    /// <summary>
    /// Kept for verb groups written before the options became global: they are on the root now, so there is
    /// nothing to add (adding them again would make every option ambiguous).
    /// </summary>
    public static void AddOptions(Command group) => ArgumentNullException.ThrowIfNull(group);

    /// <summary>
    /// The value of a global option, or null when the tree has no such option (a test that mounts one verb group
    /// under its own root): looked up on the commands parsed, so a missing option is "not given", not an exception.
    /// </summary>
    public static string? GlobalValue(ParseResult parse, string name)
    {
        ArgumentNullException.ThrowIfNull(parse);
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            if (result.Command.Options.FirstOrDefault(o => o.Name == name) is Option<string?> option)
            {
                return parse.GetValue(option);
            }
        }

        return null;
    }

    public static CliContext From(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        // Problems in unrelated keys must not stop user management, so only server.data_dir is taken from the
        // configuration; a config that cannot be read at all falls back to the flag/environment/default.
        var config = CliConfig.Load(parse);
        var dataDir = config.Problems.Any(p => p.Key is "server.data_dir" or "--config" or "(file)")
            ? FallbackDataDir(parse)
            : config.Options.Server.DataDir;

        return new CliContext(Path.GetFullPath(dataDir), GlobalValue(parse, ConfigOptionName), config);
    }

    private static string FallbackDataDir(ParseResult parse)
    {
        var dataDir = GlobalValue(parse, DataDirOptionName);
        if (string.IsNullOrWhiteSpace(dataDir))
        {
            dataDir = Environment.GetEnvironmentVariable(DataDirEnvironment);
        }

        return string.IsNullOrWhiteSpace(dataDir) ? InstalledLayout.DefaultDataDir() : dataDir;
    }
}
