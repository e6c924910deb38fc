using System.Collections;
using System.CommandLine;
using Appliance.Hosting.Configuration;

namespace Appliance.Cli;

/// <summary>
/// Loads the configuration for a CLI verb: the --config file (or the default), then APPLIANCE_* variables, then
/// command-line overrides such as --data-dir, which win because they are the most specific. The command must
/// be under the root, which carries the options from <see cref="CliContext.AddGlobalOptions"/>.
/// </summary>
public static class CliConfig
{
    public static ConfigLoadResult Load(ParseResult parse, IReadOnlyDictionary<string, string>? commandLineOverrides = null)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && key.StartsWith(EnvironmentOverrides.Prefix, StringComparison.Ordinal))
            {
                environment[key] = entry.Value as string ?? "";
            }
        }

        if (CliContext.GlobalValue(parse, CliContext.DataDirOptionName) is { Length: > 0 } dataDir)
        {
            environment["APPLIANCE_DATA_DIR"] = dataDir;
        }

        foreach (var (variable, value) in commandLineOverrides ?? new Dictionary<string, string>())
        {
            environment[variable] = value;
        }

        return ConfigLoader.Load(CliContext.GlobalValue(parse, CliContext.ConfigOptionName), environment, ConfigLoader.DefaultPath, InstalledLayout.DefaultDataDir());
    }

    /// <summary>Prints every problem to stderr; returns <see cref="ExitCodes.Config"/> for the caller to return.</summary>
    public static int ReportProblems(ConfigLoadResult config, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(error);
        error.WriteLine($"Invalid configuration ({config.SourceDescription}): {config.Problems.Count} problem(s)");
        foreach (var problem in config.Problems)
        {
            error.WriteLine("  " + problem);
        }

        return ExitCodes.Config;
    }
}
