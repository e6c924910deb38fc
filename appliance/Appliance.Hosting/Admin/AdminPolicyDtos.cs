namespace Appliance.Hosting.Admin;

// The policy and route shapes of the admin API (camelCase). Add, never rename: scripts read `-o json`.

/// <param name="Source">Where the live text came from: <c>file:PATH</c>, <c>database</c>, <c>content:PATH</c>.</param>
/// <param name="Version">Its row in the policy version history, when recorded.</param>
public sealed record PolicyDto(string Text, long? Version, string Source, string Sha256, DateTimeOffset? CreatedAt);

/// <param name="Name">What the text came from (a file name), recorded with the version.</param>
public sealed record SetPolicyRequest(string Text, string? Name = null);

public sealed record CheckPolicyRequest(string Text);

/// <param name="Nodes">How many nodes the policy was checked (and its tests run) against.</param>
public sealed record PolicyCheckDto(bool Valid, int Nodes);

/// <param name="Routes">Prefixes such as 10.0.0.0/24, 0.0.0.0/0 and ::/0; empty clears every approval.</param>
public sealed record ApproveRoutesRequest(IReadOnlyList<string> Routes);
