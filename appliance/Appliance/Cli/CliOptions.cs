using System.CommandLine;

namespace Appliance.Cli;

/// <summary>
/// Options every verb understands (they are recursive on the root, so `appliance serve --config F` and
/// `appliance --config F users list` both work). Verbs read the configuration with <see cref="CliConfig.Load"/>.
/// </summary>
public static class CliOptions
{
    public static Option<string?> Config { get; } = new("--config", "-c")
    {
        Description = "YAML config file (default: /etc/appliance/appliance.yaml when it exists, else embedded defaults).",
        Recursive = true,
    };

    public static Option<string?> DataDir { get; } = new("--data-dir")
    {
        Description = "Data folder; overrides server.data_dir and APPLIANCE_DATA_DIR.",
        Recursive = true,
    };
}
