using Appliance.State.Cluster;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Cluster;

/// <summary>
/// While serving on a shared database: records this instance's settings fingerprint and compares it with every
/// live instance's, at start and every <see cref="ClusterSync.HousekeepingInterval"/> (so an instance that joins
/// with other settings, or a policy or DERP map file that changed on one of them, is seen within seconds). A
/// disagreement is logged once as an error naming the keys and instances (5011), its end once (5012), and is
/// exposed as <see cref="Current"/> (the <c>appliance_cluster_settings_disagreements</c> metric, <c>appliance status</c>).
/// </summary>
public sealed class ClusterSettingsCheck(InstanceSettings settings, Func<IReadOnlyDictionary<string, string>> mine, TimeProvider time, ILogger log)
{
    private IReadOnlyList<SettingsDisagreement> _current = [];

    /// <summary>The disagreements found by the last comparison (empty: all agree).</summary>
    public IReadOnlyList<SettingsDisagreement> Current => Volatile.Read(ref _current);

    public string InstanceId => settings.InstanceId;

    /// <summary>One round: record, forget departed instances, compare; logs when the picture changed. Never throws.</summary>
    public void Run()
    {
        try
        {
            var now = time.GetUtcNow();
            var fingerprint = mine();
            settings.Record(fingerprint, now);
            settings.Forget(includingMine: false);
            var found = settings.Compare(fingerprint, now);
            var before = Interlocked.Exchange(ref _current, found);
            if (Describe(found) == Describe(before))
            {
                return;
            }

            if (found.Count > 0)
            {
                ClusterLog.SettingsDisagree(log, Describe(found));
            }
            else
            {
                ClusterLog.SettingsAgree(log);
            }
        }
#pragma warning disable CA1031 // Background work: a database that is restarting fails here; the next round retries.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ClusterLog.SettingsCheckFailed(log, e.Message);
        }
    }

    /// <summary>A clean stop: this instance's fingerprint goes with it.</summary>
    public void Leave()
    {
        try
        {
            settings.Forget(includingMine: true);
        }
#pragma warning disable CA1031 // Stopping: a database that is gone keeps the row until another instance forgets it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ClusterLog.SettingsCheckFailed(log, e.Message);
        }
    }

    /// <summary>"prefixes.v4 differs from instance X, Y; ..." (stable order: by key, then instance).</summary>
    public static string Describe(IReadOnlyList<SettingsDisagreement> disagreements)
    {
        ArgumentNullException.ThrowIfNull(disagreements);
        return string.Join("; ", disagreements.Select(d => $"{d.Key} differs from instance {string.Join(", ", d.Instances)}"));
    }
}
