using System.CommandLine;

namespace Appliance.Cli;

/// <summary>
/// Where operator commands find the appliance: the data folder from `--data-dir`, else APPLIANCE_DATA_DIR, else
/// `./data`. `--config` is accepted now so scripts can pass it; once config loading is merged, resolving the data
/// folder from the config file belongs here (and only here).
/// </summary>
public sealed class CliContext
{
    public const string DataDirOptionName = "--data-dir";
    public const string ConfigOptionName = "--config";
    public const string DataDirEnvironment = "APPLIANCE_DATA_DIR";
    public const string DefaultDataDir = "./data";

    private CliContext(string dataDirectory, string? configPath)
    {
        DataDirectory = dataDirectory;
        ConfigPath = configPath;
    }

    /// <summary>Absolute path of the data folder.</summary>
    public string DataDirectory { get; }

    public string? ConfigPath { get; }

    public string AdminSocketPath => Storage.Files.DataDirectory.AdminSocketPathFor(DataDirectory);

    /// <summary>Adds `--data-dir` and `--config` to a command group; recursive, so they work on every verb below it.</summary>
    public static void AddOptions(Command group)
    {
        ArgumentNullException.ThrowIfNull(group);
        group.Options.Add(new Option<string?>(DataDirOptionName)
        {
            Description = $"The data folder (default: ${DataDirEnvironment}, else {DefaultDataDir}).",
            Recursive = true,
        });
        group.Options.Add(new Option<string?>(ConfigOptionName)
        {
            Description = "The configuration file.",
            Recursive = true,
        });
    }

    public static CliContext From(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var dataDir = parse.GetValue<string?>(DataDirOptionName);
        if (string.IsNullOrWhiteSpace(dataDir))
        {
            dataDir = Environment.GetEnvironmentVariable(DataDirEnvironment);
        }

        if (string.IsNullOrWhiteSpace(dataDir))
        {
            dataDir = DefaultDataDir;
        }

        return new CliContext(Path.GetFullPath(dataDir), parse.GetValue<string?>(ConfigOptionName));
    }
}
