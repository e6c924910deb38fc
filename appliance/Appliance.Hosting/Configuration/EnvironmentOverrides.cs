namespace Appliance.Hosting.Configuration;

/// <summary>
/// Environment variables override the file: APPLIANCE_&lt;SECTION&gt;_&lt;KEY&gt; for every key (lists
/// comma-separated, dns.split_dns as domain=ip;ip,domain=ip), plus short forms scripts rely on:
/// APPLIANCE_DATA_DIR, APPLIANCE_LISTEN and APPLIANCE_HTTPS_LISTEN. A variable that names a known section but an
/// unknown key is a problem (a typo); variables that name no section (APPLIANCE_SHARED_DIR) are not ours.
/// </summary>
public static class EnvironmentOverrides
{
    public const string Prefix = "APPLIANCE_";

    /// <summary>Short forms and the key each one sets.</summary>
    public static IReadOnlyDictionary<string, string> ShortForms { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["APPLIANCE_DATA_DIR"] = "server.data_dir",
        ["APPLIANCE_LISTEN"] = "server.listen",
        ["APPLIANCE_HTTPS_LISTEN"] = "server.https_listen",
    };

    public static void Apply(ApplianceOptions options, IReadOnlyDictionary<string, string> environment, List<ConfigProblem> problems, Dictionary<string, string>? sources = null)
    {
        // Long forms first, short forms last: the short form is what a script sets on purpose.
        foreach (var (variable, text) in environment.OrderBy(kv => ShortForms.ContainsKey(kv.Key)).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!variable.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            ConfigKey? key;
            if (ShortForms.TryGetValue(variable, out var path))
            {
                var dot = path.IndexOf('.', StringComparison.Ordinal);
                key = ConfigSchema.FindSection(path[..dot])!.Find(path[(dot + 1)..]);
            }
            else
            {
                var rest = variable[Prefix.Length..].ToLowerInvariant();
                var section = ConfigSchema.Sections.FirstOrDefault(s => rest.StartsWith(s.Name + "_", StringComparison.Ordinal));
                if (section is null)
                {
                    continue;
                }

                var name = rest[(section.Name.Length + 1)..];
                key = section.Find(name);
                if (key is null)
                {
                    var hint = ConfigSchema.Suggest(name, section.Keys.Select(k => k.Name));
                    problems.Add(new ConfigProblem(section.Name + "." + name,
                        "unknown key" + (hint is null ? "" : $"; did you mean {Prefix}{section.Name.ToUpperInvariant()}_{hint.ToUpperInvariant()}?"),
                        "environment " + variable));
                    continue;
                }
            }

            if (key is null)
            {
                continue;
            }

            if (ConfigValueParser.TryParseScalar(key.ValueType, text, out var value, out var reason))
            {
                key.SetValue(ConfigSchema.FindSection(key.Section)!.GetOptions(options), value);
                if (sources is not null)
                {
                    sources[key.Path] = "environment " + variable;
                }
            }
            else
            {
                problems.Add(new ConfigProblem(key.Path, reason, "environment " + variable));
            }
        }
    }
}
