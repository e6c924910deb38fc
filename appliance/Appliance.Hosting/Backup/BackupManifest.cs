using System.Text.Json.Serialization;

namespace Appliance.Hosting.Backup;

/// <summary>
/// manifest.json, the last entry of every archive: what each file must hash to, and what the tailnet held when the
/// backup was taken, which `backup verify` compares with a server started on the restored copy.
/// </summary>
public sealed record BackupManifest(
    int Format,
    DateTimeOffset CreatedAt,
    string ApplianceVersion,
    int SchemaVersion,
    IReadOnlyList<BackupFile> Files,
    TailnetSummary Tailnet)
{
    public const int CurrentFormat = 1;

    public const string EntryName = "manifest.json";
}

/// <param name="Path">Entry name: data/... (the data folder), config/NAME (the config file), policy/NAME (an external policy.file).</param>
public sealed record BackupFile(string Path, long Size, string Sha256);

/// <param name="Nodes">"given-name nodekey:..." per node, sorted.</param>
/// <param name="Users">User names, sorted.</param>
/// <param name="PolicySha256">SHA-256 (hex) of the live policy text, or null when none is set.</param>
public sealed record TailnetSummary(IReadOnlyList<string> Nodes, IReadOnlyList<string> Users, string? PolicySha256);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(BackupManifest))]
[JsonSerializable(typeof(BackupVerifyState))]
internal sealed partial class BackupJsonContext : JsonSerializerContext;

/// <summary>verify-state.json in the backup folder: when the last restore drill succeeded, kept across restarts.</summary>
public sealed record BackupVerifyState(DateTimeOffset? LastSuccess, string? Archive);
