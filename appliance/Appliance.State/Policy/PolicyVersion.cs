namespace Appliance.State.Policy;

/// <summary>One applied policy text in the stored history (State's type for a `policy_versions` row).</summary>
/// <param name="Sha256">Lower-case hex of the UTF-8 text.</param>
/// <param name="Source">Where it came from: "file", "cli", "api" (free text, for the operator).</param>
public sealed record PolicyVersion(long Id, DateTimeOffset CreatedAt, string Text, string Source, string Sha256);
