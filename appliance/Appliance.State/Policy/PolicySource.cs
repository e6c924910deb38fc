namespace Appliance.State.Policy;

/// <summary>
/// Where the live policy text came from: <c>file:PATH</c> (config policy.file), <c>database</c> (a stored version,
/// set by the admin API or the CLI) or <c>content:PATH</c> (an updates bundle). <see cref="VersionId"/> is its row
/// in policy_versions, when recorded.
/// </summary>
public sealed record PolicySource(string Text, string Origin, long? VersionId, string Sha256);
