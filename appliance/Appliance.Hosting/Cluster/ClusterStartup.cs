using System.Data.Common;
using Appliance.Control.Noise;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Startup;
using Appliance.Protocol.Keys;
using Appliance.State.Cluster;

namespace Appliance.Hosting.Cluster;

/// <summary>
/// `serve`'s step between opening a shared (PostgreSQL) database and building the host (docs/ops/ha.md): takes the
/// cluster's Noise key (<see cref="ClusterNoiseKey"/>), then refuses to join when this instance's Noise key or IP
/// prefixes differ from a live instance's (<see cref="ClusterSettingsFingerprint.Fatal"/>): clients would break.
/// Other differences are reported while serving (<see cref="ClusterSettingsCheck"/>). Nothing happens on SQLite.
/// </summary>
public static class ClusterStartup
{
    /// <summary>Null to go on; else why this instance must not start (serve exits 78).</summary>
    public static string? Prepare(ApplianceOptions options, ApplianceState state, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(time);
        if (!state.Database.IsShared)
        {
            return null;
        }

        try
        {
            if (ClusterNoiseKey.Prepare(state.Paths.DataDir, state.Database, options.Database.ClusterKeyFile, time) is { } refusal)
            {
                return refusal;
            }

            var noise = NoiseServerKeyFile.LoadOrCreate(Path.Combine(state.Paths.DataDir, NoiseServerKeyFile.FileName)).Public.ToString();
            var mine = ClusterSettingsFingerprint.Compute(options, noise);
            var fatal = new InstanceSettings(state.Database).Compare(mine, time.GetUtcNow())
                .Where(d => ClusterSettingsFingerprint.Fatal.Contains(d.Key))
                .ToList();
            return fatal.Count == 0
                ? null
                : $"{ClusterSettingsCheck.Describe(fatal)}: these must be the same on every appliance of this database, or clients break " +
                  "(to change them, stop every instance, change all, start again)";
        }
        catch (PrivateKeyFileException e)
        {
            return e.Message;
        }
        catch (DbException e)
        {
            return "the shared database could not be read: " + e.Message;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "the Noise key could not be written to the data folder: " + e.Message;
        }
    }
}
