using Appliance.State.Commands;
using Appliance.State.Identity;
using Appliance.Storage.Database;
using Appliance.Storage.Stores;

namespace Appliance.State.Policy;

/// <summary>
/// The stored policy history (`policy_versions`), State's way to it: reads straight from the table, every append as
/// a command on the <see cref="ITailnetWriter"/>, so a policy set is ordered with every other tailnet change and a
/// refused write is <see cref="OperationStatus.Unavailable"/> instead of an exception. Hosting's PolicyService and
/// the CLI's stored-policy verbs use this; neither touches the table itself.
/// </summary>
public sealed class PolicyVersions(ApplianceDatabase database, ITailnetWriter writer, TimeProvider time)
{
    private readonly PolicyStore _store = new(database);

    /// <summary>The current stored policy, or null when none was ever set.</summary>
    public PolicyVersion? Latest() => Version(_store.Latest());

    /// <summary>Every version, oldest first.</summary>
    public IReadOnlyList<PolicyVersion> List() => [.. _store.List().Select(r => Version(r)!)];

    /// <summary>Appends <paramref name="text"/> unless it is already the newest version (same SHA-256).</summary>
    public OperationResult<PolicyVersion> Record(string text, string origin)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sha = PolicyDigest.Sha256(text);
        return writer.Run("record policy", () => OperationResult.Ok(
            Version(_store.Latest() is { } latest && latest.Sha256 == sha ? latest : _store.Append(text, origin, time.GetUtcNow()))!));
    }

    /// <summary>Appends <paramref name="text"/> as a new version even when an equal text is stored (an import).</summary>
    public OperationResult<PolicyVersion> Append(string text, string origin)
    {
        ArgumentNullException.ThrowIfNull(text);
        return writer.Run("record policy", () => OperationResult.Ok(Version(_store.Append(text, origin, time.GetUtcNow()))!));
    }

    private static PolicyVersion? Version(PolicyVersionRecord? row) =>
        row is null ? null : new PolicyVersion(row.Id, row.CreatedAt, row.Text, row.Source, row.Sha256);
}

/// <summary>The digest policy_versions records: lower-case hex SHA-256 of the UTF-8 text.</summary>
public static class PolicyDigest
{
    public static string Sha256(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
