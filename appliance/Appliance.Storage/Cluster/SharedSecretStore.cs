using System.Data.Common;
using Appliance.Storage.Database;
using Appliance.Storage.Stores;

namespace Appliance.Storage.Cluster;

/// <summary>
/// Secrets the appliances on one database share (<c>ha_secrets</c>, migration 0007), stored only sealed: this store
/// never sees clear text, the caller seals and opens (docs/decisions/0098-cluster-noise-key.md).
/// </summary>
internal sealed class SharedSecretStore(ApplianceDatabase database)
{
    /// <summary>The sealed secret <paramref name="name"/> and its public half, or null when none is stored yet.</summary>
    public (string PublicKey, string Sealed)? Find(string name)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command("SELECT public_key, sealed FROM ha_secrets WHERE name = @n;").With("@n", name);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetString(0), reader.GetString(1)) : null;
    }

    /// <summary>Stores the secret unless one is stored already (the first instance wins; false then).</summary>
    public bool TryInsert(string name, string publicKey, string sealedText, long now)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command(
            "INSERT INTO ha_secrets (name, public_key, sealed, created_at) VALUES (@n, @p, @s, @t) ON CONFLICT (name) DO NOTHING;")
            .With("@n", name).With("@p", publicKey).With("@s", sealedText).With("@t", now);
        try
        {
            return command.ExecuteNonQuery() == 1;
        }
        catch (DbException e) when (e.IsUniqueViolation())
        {
            return false;
        }
    }

    /// <summary>Re-seals the stored secret (same public half) under a new cluster key; false when the public half differs.</summary>
    public bool Reseal(string name, string publicKey, string sealedText)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command("UPDATE ha_secrets SET sealed = @s WHERE name = @n AND public_key = @p;")
            .With("@s", sealedText).With("@n", name).With("@p", publicKey);
        return command.ExecuteNonQuery() == 1;
    }
}
