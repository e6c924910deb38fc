using System.Collections;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Appliance.Hosting.Configuration;

/// <summary>
/// Loads the configuration: embedded defaults, then the YAML file (`--config`, else
/// /etc/appliance/appliance.yaml when it exists), then environment overrides, then validation. Nothing here
/// throws for bad input: every problem is collected so the operator sees them all at once.
/// </summary>
public static class ConfigLoader
{
    public const string DefaultPath = "/etc/appliance/appliance.yaml";

    public static ConfigLoadResult Load(string? explicitPath) => Load(explicitPath, ProcessEnvironment(), DefaultPath);

    /// <param name="defaultDataDir">The embedded default of server.data_dir for this machine (the CLI passes
    /// <see cref="InstalledLayout.DefaultDataDir"/>: the installed folder when present); null keeps ./data.</param>
    public static ConfigLoadResult Load(string? explicitPath, IReadOnlyDictionary<string, string> environment, string defaultPath = DefaultPath, string? defaultDataDir = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var problems = new List<ConfigProblem>();
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        var options = new ApplianceOptions();
        if (defaultDataDir is not null)
        {
            options.Server.DataDir = defaultDataDir;
        }

        string? source = null;

        if (explicitPath is not null)
        {
            if (File.Exists(explicitPath))
            {
                source = Path.GetFullPath(explicitPath);
            }
            else
            {
                problems.Add(new ConfigProblem("--config", $"file '{explicitPath}' does not exist; give the path of a YAML config file or leave --config out to use {defaultPath} or the embedded defaults"));
            }
        }
        else if (File.Exists(defaultPath))
        {
            source = defaultPath;
        }

        if (source is not null)
        {
            ReadFile(source, options, problems, sources);
        }

        EnvironmentOverrides.Apply(options, environment, problems, sources);
        // A key whose value failed to parse already has its problem; validation adds the rest, each with the
        // file line or variable its value came from.
        var parseProblems = problems.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        problems.AddRange(ApplianceOptionsValidator.Validate(options)
            .Where(p => !parseProblems.Contains(p.Key))
            .Select(p => p with { Source = sources.GetValueOrDefault(BaseKey(p.Key)) }));

        return new ConfigLoadResult(options, problems, source);
    }

    /// <summary>`dns.nameservers[0]` and `dns.split_dns.corp.example` come from the key `dns.nameservers` / `dns.split_dns`.</summary>
    private static string BaseKey(string key)
    {
        var bracket = key.IndexOf('[', StringComparison.Ordinal);
        var trimmed = bracket < 0 ? key : key[..bracket];
        var parts = trimmed.Split('.');
        return parts.Length > 2 ? parts[0] + "." + parts[1] : trimmed;
    }

    private static void ReadFile(string path, ApplianceOptions options, List<ConfigProblem> problems, Dictionary<string, string> sources)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new ConfigProblem("--config", $"cannot read '{path}': {e.Message}"));
            return;
        }

        using var reader = new StringReader(text);
        ReadYaml(reader, Path.GetFileName(path), options, problems, sources);
    }

    private static void ReadYaml(TextReader reader, string fileName, ApplianceOptions options, List<ConfigProblem> problems, Dictionary<string, string> sources)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            problems.Add(new ConfigProblem("(file)", "not valid YAML: " + (e.InnerException?.Message ?? e.Message), $"{fileName} line {e.Start.Line}"));
            return;
        }

        if (stream.Documents.Count == 0)
        {
            return;
        }

        if (stream.Documents.Count > 1)
        {
            problems.Add(new ConfigProblem("(file)", "holds more than one YAML document; keep one", fileName));
        }

        new YamlConfigBinder(fileName, problems, sources).Bind(stream.Documents[0].RootNode, options);
    }

    private static Dictionary<string, string> ProcessEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && key.StartsWith(EnvironmentOverrides.Prefix, StringComparison.Ordinal))
            {
                result[key] = entry.Value as string ?? "";
            }
        }

        return result;
    }
}
