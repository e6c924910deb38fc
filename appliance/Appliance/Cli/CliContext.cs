using System.CommandLine;
using Appliance.Hosting.Configuration;

namespace Appliance.Cli;

/// <summary>
/// Where operator commands find the appliance. The data folder comes from the same configuration `serve` uses
/// (root options `--config` and `--data-dir`, APPLIANCE_DATA_DIR, the YAML file's server.data_dir, else `./data`),
/// so the CLI always looks where the service keeps its state.
/// </summary>
public sealed class CliContext
{
    private CliContext(string dataDirectory, ConfigLoadResult config)
    {
        DataDirectory = dataDirectory;
        Config = config;
    }

    /// <summary>Absolute path of the data folder.</summary>
    public string DataDirectory { get; }

    public ConfigLoadResult Config { get; }

    public string AdminSocketPath => Storage.Files.DataDirectory.AdminSocketPathFor(DataDirectory);

    public static CliContext From(ParseResult parse)
    {
        var config = CliConfig.Load(parse);
        return new CliContext(Path.GetFullPath(config.Options.Server.DataDir), config);
    }
}
