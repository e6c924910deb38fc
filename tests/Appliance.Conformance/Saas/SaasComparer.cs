using System.Text.Json;
using Appliance.Policy.Compilation;

namespace Appliance.Conformance.Saas;

/// <summary>
/// Runs one scenario through the compiler and compares the way the README says: rules as multisets with
/// order-insensitive SrcIPs, DstPorts and IPProto, CapGrant values as parsed JSON; peers as a set of names with
/// allowedIPs and primaryRoutes as sets; the node's CapMap without the hosted service's defaults.
/// </summary>
public static class SaasComparer
{
    /// <summary>Capabilities Tailscale's hosted service gives every node whatever the policy says.</summary>
    public static readonly IReadOnlySet<string> HostedDefaults = new HashSet<string>(StringComparer.Ordinal)
    {
        "https://tailscale.com/cap/is-owner", "https://tailscale.com/cap/is-admin", "https://tailscale.com/cap/tailnet-lock",
        "tailnet-display-name", "store-appc-routes", "probe-udp-lifetime", "ssh-behavior-v1", "ssh-env-vars",
        "https://tailscale.com/cap/file-sharing", "https://tailscale.com/cap/ssh",

        // A tailnet setting (Settings → auto-update new devices), not a policy output.
        "default-auto-update",
    };

    private static readonly JsonSerializerOptions Json = new();

    /// <summary>Returns the differences; empty when the scenario passes.</summary>
    public static IReadOnlyList<string> Run(SaasScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        try
        {
            return RunUnguarded(scenario);
        }
#pragma warning disable CA1031 // a crash on one scenario is reported as its failure, not the end of the run
        catch (Exception e)
#pragma warning restore CA1031
        {
            return [$"threw {e.GetType().Name}: {e.Message}"];
        }
    }

    private static List<string> RunUnguarded(SaasScenario scenario)
    {
        var diffs = new List<string>();
        PolicyCompileResult result;
        try
        {
            result = CompiledPolicy.Compile(scenario.PolicyText, scenario.Topology);
        }
#pragma warning disable CA1031 // a crash on one scenario is reported as its failure, not the end of the run
        catch (Exception e)
#pragma warning restore CA1031
        {
            return [$"compiler threw {e.GetType().Name}: {e.Message}"];
        }

        if (!scenario.Accepted)
        {
            if (result.Success)
            {
                diffs.Add($"policy accepted, Tailscale rejected it: {scenario.RejectionMessage}");
            }

            return diffs;
        }

        if (!result.Success)
        {
            return [$"policy rejected, Tailscale accepted it: {string.Join("; ", result.Errors)}"];
        }

        var compiled = result.Policy!;
        var names = scenario.NodeIds.ToDictionary(kv => kv.Value, kv => kv.Key);
        foreach (var (nodeName, expect) in scenario.Expect.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!scenario.NodeIds.TryGetValue(nodeName, out var id))
            {
                diffs.Add($"{nodeName}: not in topology");
                continue;
            }

            var view = compiled.ForNode(id);
            CompareMultiset(diffs, nodeName, "packetFilterRules",
                Items(expect, "packetFilterRules").Select(CanonicalFilterRule),
                view.PacketFilter.Select(r => CanonicalFilterRule(JsonSerializer.SerializeToElement(r, Json))));
            CompareMultiset(diffs, nodeName, "sshRules",
                Items(expect, "sshRules").Select(CanonicalSshRule),
                view.SshRules.Select(r => CanonicalSshRule(JsonSerializer.SerializeToElement(r, Json))));
            ComparePeers(diffs, nodeName, expect, view, names);
            CompareCapMap(diffs, nodeName, expect, view);
        }

        return diffs;
    }

    private static List<JsonElement> Items(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().ToList() : [];

    private static List<string> Sorted(IEnumerable<string> items) => items.Order(StringComparer.Ordinal).ToList();

    private static string CanonicalFilterRule(JsonElement rule)
    {
        var src = Sorted(Items(rule, "SrcIPs").Select(s => s.GetString() ?? ""));
        var dst = Sorted(Items(rule, "DstPorts").Select(d =>
            $"{d.GetProperty("IP").GetString()}|{d.GetProperty("Ports").GetProperty("First").GetInt32()}-{d.GetProperty("Ports").GetProperty("Last").GetInt32()}").Distinct());
        var proto = Sorted(Items(rule, "IPProto").Select(p => p.GetRawText()));
        var caps = Sorted(Items(rule, "CapGrant").Select(c =>
            "dsts=" + string.Join(",", Sorted(Items(c, "Dsts").Select(x => x.GetString() ?? "")))
            + " cap=" + (c.TryGetProperty("CapMap", out var cm) ? CanonicalJson.Of(cm) : "{}")));
        return $"src=[{string.Join(",", src)}] dst=[{string.Join(",", dst)}] proto=[{string.Join(",", proto)}] cap=[{string.Join(";", caps)}]";
    }

    private static string CanonicalSshRule(JsonElement rule)
    {
        var principals = Sorted(Items(rule, "principals").Select(p => CanonicalJson.Of(p, dropDefaults: true)));
        var users = rule.TryGetProperty("sshUsers", out var u) ? CanonicalJson.Of(u) : "{}";
        var action = rule.TryGetProperty("action", out var a) ? CanonicalJson.Of(a, dropDefaults: true) : "{}";
        var env = Sorted(Items(rule, "acceptEnv").Select(x => x.GetString() ?? ""));
        return $"principals=[{string.Join(",", principals)}] users={users} action={action} acceptEnv=[{string.Join(",", env)}]";
    }

    private static void CompareMultiset(List<string> diffs, string node, string what, IEnumerable<string> expected, IEnumerable<string> actual)
    {
        var want = Sorted(expected);
        var got = Sorted(actual);
        var missing = Subtract(want, got);
        var extra = Subtract(got, want);
        foreach (var m in missing)
        {
            diffs.Add($"{node}: {what} missing {m}");
        }

        foreach (var x in extra)
        {
            diffs.Add($"{node}: {what} unexpected {x}");
        }
    }

    private static List<string> Subtract(List<string> a, List<string> b)
    {
        var counts = b.GroupBy(x => x, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var x in a)
        {
            if (counts.TryGetValue(x, out var c) && c > 0)
            {
                counts[x] = c - 1;
            }
            else
            {
                result.Add(x);
            }
        }

        return result;
    }

    private static void ComparePeers(List<string> diffs, string node, JsonElement expect, NodePolicyView view, Dictionary<long, string> names)
    {
        var want = Items(expect, "peers").ToDictionary(p => p.GetProperty("name").GetString() ?? "", StringComparer.Ordinal);
        var got = view.Peers.ToDictionary(p => names.TryGetValue(p.NodeId, out var n) ? n : p.NodeId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);
        foreach (var name in want.Keys.Except(got.Keys))
        {
            diffs.Add($"{node}: missing peer {name}");
        }

        foreach (var name in got.Keys.Except(want.Keys))
        {
            diffs.Add($"{node}: unexpected peer {name}");
        }

        foreach (var name in want.Keys.Intersect(got.Keys))
        {
            var w = want[name];
            var g = got[name];
            var wantAllowed = Sorted(Items(w, "allowedIPs").Select(x => x.GetString() ?? ""));
            var gotAllowed = Sorted(g.AllowedIPs);
            if (!wantAllowed.SequenceEqual(gotAllowed))
            {
                diffs.Add($"{node}: peer {name} allowedIPs want [{string.Join(",", wantAllowed)}] got [{string.Join(",", gotAllowed)}]");
            }

            var wantPrimary = Sorted(Items(w, "primaryRoutes").Select(x => x.GetString() ?? ""));
            var gotPrimary = Sorted(g.PrimaryRoutes.Select(p => p.ToString()));
            if (!wantPrimary.SequenceEqual(gotPrimary))
            {
                diffs.Add($"{node}: peer {name} primaryRoutes want [{string.Join(",", wantPrimary)}] got [{string.Join(",", gotPrimary)}]");
            }
        }
    }

    private static void CompareCapMap(List<string> diffs, string node, JsonElement expect, NodePolicyView view)
    {
        var want = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (expect.TryGetProperty("self", out var self) && self.TryGetProperty("CapMap", out var capMap) && capMap.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in capMap.EnumerateObject().Where(p => !HostedDefaults.Contains(p.Name)))
            {
                want[p.Name] = CanonicalJson.Of(p.Value);
            }
        }

        var got = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in view.CapMap.Where(kv => !HostedDefaults.Contains(kv.Key)))
        {
            got[name] = values is null ? "null" : CanonicalJson.Of(JsonSerializer.SerializeToElement(values, Json));
        }

        var w = string.Join(" ", want.Select(kv => kv.Key + "=" + kv.Value));
        var g = string.Join(" ", got.Select(kv => kv.Key + "=" + kv.Value));
        if (w != g)
        {
            diffs.Add($"{node}: CapMap want {{{w}}} got {{{g}}}");
        }
    }
}
