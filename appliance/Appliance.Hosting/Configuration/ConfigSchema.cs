namespace Appliance.Hosting.Configuration;

/// <summary>
/// Every section and key the appliance understands. The YAML binder, the environment overrides, `config check`,
/// docs/config.md and the example-file test all read this one list, so a key exists everywhere or nowhere.
/// </summary>
public static class ConfigSchema
{
    public static IReadOnlyList<ConfigSection> Sections { get; } =
    [
        new ConfigSection<ServerOptions>("server", o => o.Server),
        new ConfigSection<LogOptions>("log", o => o.Log),
        new ConfigSection<PrefixesOptions>("prefixes", o => o.Prefixes),
        new ConfigSection<NodesOptions>("nodes", o => o.Nodes),
        new ConfigSection<DnsOptions>("dns", o => o.Dns),
        new ConfigSection<DerpOptions>("derp", o => o.Derp),
        new ConfigSection<TlsOptions>("tls", o => o.Tls),
        new ConfigSection<PolicyOptions>("policy", o => o.Policy),
        new ConfigSection<IdentityOptions>("identity", o => o.Identity),
        new ConfigSection<UpdatesOptions>("updates", o => o.Updates),
        new ConfigSection<MetricsOptions>("metrics", o => o.Metrics),
        new ConfigSection<BackupOptions>("backup", o => o.Backup),
        new ConfigSection<DatabaseOptions>("database", o => o.Database),
        new ConfigSection<AuditOptions>("audit", o => o.Audit),
    ];

    /// <summary>The fields of one dns.extra_records entry.</summary>
    public static ConfigSection DnsExtraRecordFields { get; } = new ConfigSection<DnsExtraRecord>("dns.extra_records[]", null);

    public static IEnumerable<ConfigKey> AllKeys => Sections.SelectMany(s => s.Keys);

    public static ConfigSection? FindSection(string name) => Sections.FirstOrDefault(s => s.Name == name);

    /// <summary>The closest known name, for "did you mean" hints on typos.</summary>
    public static string? Suggest(string typed, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = EditDistance(typed, candidate);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }

        return bestDistance <= Math.Max(2, typed.Length / 3) ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
