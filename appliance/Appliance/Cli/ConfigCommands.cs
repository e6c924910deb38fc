using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Appliance.Hosting.Configuration;

namespace Appliance.Cli;

/// <summary>`appliance config check|show`: validate the configuration, or print it with every default filled in.</summary>
public static class ConfigCommands
{
    public static Command Create()
    {
        var config = new Command("config", "Check the configuration, or show it with its defaults.");
        config.Subcommands.Add(CheckCommand());
        config.Subcommands.Add(ShowCommand());
        return config;
    }

    private static Command CheckCommand()
    {
        var check = new Command("check", "Check the configuration file and APPLIANCE_* variables; print every problem (exit 78 if any).").WithOutputOption();
        check.SetAction(parse =>
        {
            var result = CliConfig.Load(parse);
            var format = CliOutput.FormatOf(parse);
            var o = parse.InvocationConfiguration.Output;
            if (!result.IsValid)
            {
                if (format != OutputFormat.Table)
                {
                    CliOutput.Write(o, format, Dto(result), CliJsonContext.Default.ConfigCheckDto, _ => { });
                }

                return CliConfig.ReportProblems(result, parse.InvocationConfiguration.Error);
            }

            CliOutput.Write(o, format, Dto(result), CliJsonContext.Default.ConfigCheckDto, w => w.WriteLine($"configuration OK ({result.SourceDescription})"));
            return ExitCodes.Ok;
        });
        return check;
    }

    /// <summary>
    /// Headscale's `dumpConfig`, for people: every key of every section with the value in effect (file, then
    /// APPLIANCE_* variables, then defaults). The table form is YAML, the config file's own format.
    /// </summary>
    private static Command ShowCommand()
    {
        var show = new Command("show", "Print the configuration in effect, every key with its default filled in (YAML; -o json for scripts).").WithOutputOption();
        show.SetAction(parse =>
        {
            var result = CliConfig.Load(parse);
            if (!result.IsValid)
            {
                return CliConfig.ReportProblems(result, parse.InvocationConfiguration.Error);
            }

            var format = CliOutput.FormatOf(parse);
            var element = JsonSerializer.SerializeToElement(Effective(result.Options), CliJsonContext.Default.JsonObject);
            CliOutput.WriteMachine(parse.InvocationConfiguration.Output, format == OutputFormat.Table ? OutputFormat.Yaml : format, element);
            return ExitCodes.Ok;
        });
        return show;
    }

    /// <summary>The options as a section → key → value tree, keys spelled as in YAML.</summary>
    public static JsonObject Effective(ApplianceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var root = new JsonObject();
        foreach (var section in ConfigSchema.Sections)
        {
            var values = new JsonObject();
            var sectionOptions = section.GetOptions(options);
            foreach (var key in section.Keys)
            {
                values[key.Name] = Value(key.GetValue(sectionOptions), key.FormatValue(sectionOptions));
            }

            root[section.Name] = values;
        }

        return root;
    }

    private static JsonNode? Value(object? value, string formatted) => value switch
    {
        null => null,
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        double d => JsonValue.Create(d),
        List<string> list => new JsonArray([.. list.Select(s => (JsonNode?)JsonValue.Create(s))]),
        Dictionary<string, List<string>> map => new JsonObject(map.Select(kv =>
            new KeyValuePair<string, JsonNode?>(kv.Key, new JsonArray([.. kv.Value.Select(s => (JsonNode?)JsonValue.Create(s))])))),
        List<DnsExtraRecord> records => new JsonArray([.. records.Select(r => (JsonNode?)new JsonObject
        {
            ["name"] = r.Name,
            ["type"] = r.Type,
            ["value"] = r.Value,
        })]),
        _ => JsonValue.Create(formatted),
    };

    private static ConfigCheckDto Dto(ConfigLoadResult result) =>
        new(result.IsValid, result.SourceDescription, [.. result.Problems.Select(p => p.ToString())]);
}
