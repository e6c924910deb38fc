using Appliance.Control.Noise;
using Appliance.Protocol.Keys;
using Appliance.State.Cluster;
using Appliance.Storage.Database;

namespace Appliance.Hosting.Cluster;

/// <summary>
/// One Noise key for every appliance on a database, without copying it by hand (docs/ops/ha.md, decision 0098):
/// the first instance to start stores its key in <c>ha_secrets</c>, sealed under the cluster key
/// (<c>database.cluster_key_file</c>); an instance without <c>noise_private.key</c> writes the cluster's key there
/// before the Noise transport loads it. Runs before the host is built; the answer is null (go on) or why this
/// instance must not start. A key file that is not the cluster's is never overwritten: the operator decides.
/// </summary>
public static class ClusterNoiseKey
{
    /// <summary>The name of the Noise key in ha_secrets.</summary>
    public const string SecretName = "noise";

    public static string? Prepare(string dataDir, ApplianceDatabase database, string clusterKeyFile, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(time);
        if (!database.IsShared || string.IsNullOrEmpty(clusterKeyFile))
        {
            return null;
        }

        var clusterKey = ClusterKeyFile.LoadOrCreate(clusterKeyFile);
        var keyPath = Path.Combine(dataDir, NoiseServerKeyFile.FileName);
        var secrets = new SharedSecrets(database);
        var stored = secrets.Find(SecretName);
        if (stored is null)
        {
            var hadFile = File.Exists(keyPath);
            var local = NoiseServerKeyFile.LoadOrCreate(keyPath);
            var publicKey = local.Public.ToString();
            if (secrets.TryAdd(SecretName, new SealedSecret(publicKey, SecretSeal.Seal(clusterKey, SecretName, publicKey, local.ToSecretText())), time.GetUtcNow()))
            {
                return null;
            }

            // Another instance stored its key a moment earlier. A key this start made up is not anyone's yet: take theirs.
            stored = secrets.Find(SecretName)!;
            if (!hadFile && stored.PublicKey != publicKey)
            {
                File.Delete(keyPath);
            }
        }

        if (File.Exists(keyPath))
        {
            var local = NoiseServerKeyFile.LoadOrCreate(keyPath);
            var publicKey = local.Public.ToString();
            if (publicKey != stored.PublicKey)
            {
                return $"this instance's Noise key {keyPath} ({publicKey}) is not the key the appliances on this database share ({stored.PublicKey}); " +
                    "clients moving between instances would not trust it. Move that file away and start again to take the shared key " +
                    "(clients that registered only with this instance's key re-trust on their next start)";
            }

            if (!SecretSeal.TryOpen(clusterKey, SecretName, stored.PublicKey, stored.Sealed, out _))
            {
                // This instance holds the shared key itself, so the stored copy may be sealed again under the
                // cluster key it has now (the key file was replaced on every instance).
                secrets.Reseal(SecretName, new SealedSecret(publicKey, SecretSeal.Seal(clusterKey, SecretName, publicKey, local.ToSecretText())));
            }

            return null;
        }

        if (!SecretSeal.TryOpen(clusterKey, SecretName, stored.PublicKey, stored.Sealed, out var text)
            || !MachinePrivate.TryParse(text, out var shared)
            || shared.Public.ToString() != stored.PublicKey)
        {
            return $"the Noise key stored in the database does not open with database.cluster_key_file {clusterKeyFile}: " +
                "give this instance a copy of the cluster key file the other instances use";
        }

        var written = NoiseServerKeyFile.LoadOrWrite(keyPath, shared);
        return written.Equals(shared) ? null : $"{keyPath} appeared while the shared Noise key was being written; start again";
    }
}
