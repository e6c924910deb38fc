using Appliance.Storage.Cluster;
using Appliance.Storage.Database;

namespace Appliance.State.Cluster;

/// <summary>A secret the appliances on one database share, as stored: its public half and the sealed text (never clear text).</summary>
public sealed record SealedSecret(string PublicKey, string Sealed);

/// <summary>
/// The secrets several appliances on one database share (<c>ha_secrets</c>, migration 0007): today the Noise key,
/// sealed by Hosting's ClusterNoiseKey under database.cluster_key_file (docs/decisions/0098-cluster-noise-key.md).
/// This class stores and returns sealed text only.
/// </summary>
public sealed class SharedSecrets(ApplianceDatabase database)
{
    private readonly SharedSecretStore _store = new(database);

    public SealedSecret? Find(string name) => _store.Find(name) is { } found ? new SealedSecret(found.PublicKey, found.Sealed) : null;

    /// <summary>Stores the secret unless another instance stored one first (false then: read it with <see cref="Find"/>).</summary>
    public bool TryAdd(string name, SealedSecret secret, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return _store.TryInsert(name, secret.PublicKey, secret.Sealed, now.ToUnixTimeMilliseconds());
    }

    /// <summary>Replaces the sealed text of the stored secret with the same public half (a new cluster key); false when the public half differs.</summary>
    public bool Reseal(string name, SealedSecret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return _store.Reseal(name, secret.PublicKey, secret.Sealed);
    }
}
