namespace Appliance.Storage.Stores;

/// <summary>A row of `policy_versions`: one applied policy text. <see cref="Sha256"/> is lower-case hex of the UTF-8 text.</summary>
/// <param name="Source">Where it came from: "file", "cli", "api" (free text, for the operator).</param>
internal sealed record PolicyVersionRecord(long Id, DateTimeOffset CreatedAt, string Text, string Source, string Sha256);
