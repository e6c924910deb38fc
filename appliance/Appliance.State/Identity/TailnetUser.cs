using System.Collections.Immutable;

namespace Appliance.State.Identity;

/// <summary>
/// A user as State holds it (the snapshot, command results, the operator's views): State's own immutable type, not
/// Storage's row. Name is the login name (unique); the others are for display.
/// </summary>
public sealed record TailnetUser(long Id, string Name, string? DisplayName, string? Email, DateTimeOffset CreatedAt)
{
    /// <summary>The person's role from the identity file ("" = member); it makes the role autogroups match.</summary>
    public string Role { get; init; } = "";

    /// <summary>Group names (without "group:") from the identity file, usable in policies as group:NAME.</summary>
    public ImmutableArray<string> Groups { get; init; } = [];

    /// <summary>True when the identity file disables the person or no longer lists them: they cannot log in.</summary>
    public bool Disabled { get; init; }
}
