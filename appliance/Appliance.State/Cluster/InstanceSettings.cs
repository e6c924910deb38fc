using System.Text.Json;
using Appliance.Storage.Cluster;
using Appliance.Storage.Database;

namespace Appliance.State.Cluster;

/// <summary>One setting on which this instance and others on the same database disagree.</summary>
public sealed record SettingsDisagreement(string Key, IReadOnlyList<string> Instances);

/// <summary>
/// The settings fingerprints of the appliances on one database (<c>ha_instance_settings</c>, migration 0007), next to
/// their leases in <c>ha_instances</c>: each instance records a key → fingerprint map, and compares it with every
/// live instance's (docs/ops/ha.md, "Settings that must agree"). A key one side does not know (a newer release) is
/// not compared.
/// </summary>
public sealed class InstanceSettings(ApplianceDatabase database)
{
    private readonly InstanceSettingsStore _store = new(database);

    public string InstanceId => database.InstanceId;

    /// <summary>Stores this instance's fingerprints.</summary>
    public void Record(IReadOnlyDictionary<string, string> settings, DateTimeOffset now) =>
        _store.Record(JsonSerializer.Serialize(new Dictionary<string, string>(settings, StringComparer.Ordinal), SettingsJson.Default.DictionaryStringString), now.ToUnixTimeMilliseconds());

    /// <summary>Which keys differ from which live instance's, sorted by key; empty when all agree (or none other is live).</summary>
    public IReadOnlyList<SettingsDisagreement> Compare(IReadOnlyDictionary<string, string> mine, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(mine);
        var differing = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var (instance, text) in _store.Others(now.ToUnixTimeMilliseconds()))
        {
            if (Parse(text) is not { } theirs)
            {
                continue;
            }

            foreach (var (key, value) in mine)
            {
                if (theirs.TryGetValue(key, out var other) && !string.Equals(value, other, StringComparison.Ordinal))
                {
                    if (!differing.TryGetValue(key, out var instances))
                    {
                        differing[key] = instances = new SortedSet<string>(StringComparer.Ordinal);
                    }

                    instances.Add(instance);
                }
            }
        }

        return [.. differing.Select(d => new SettingsDisagreement(d.Key, [.. d.Value]))];
    }

    /// <summary>Deletes the fingerprints of instances that hold no lease (and this one's at a clean stop).</summary>
    public int Forget(bool includingMine) => _store.DeleteGone(includingMine);

    private static Dictionary<string, string>? Parse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize(text, SettingsJson.Default.DictionaryStringString);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class SettingsJson : System.Text.Json.Serialization.JsonSerializerContext;
