namespace Appliance.Policy.Model;

/// <summary>What an alias in src/dst/target names (Tailscale policy syntax, kb/1337).</summary>
public enum AliasKind
{
    /// <summary><c>*</c>: every Tailscale address (and, as a source, every approved subnet route).</summary>
    Wildcard,

    /// <summary><c>alice@example.com</c> or <c>user:*@domain</c>.</summary>
    User,

    /// <summary><c>group:name</c>.</summary>
    Group,

    /// <summary><c>tag:name</c>.</summary>
    Tag,

    /// <summary>A name from the <c>hosts</c> section.</summary>
    Host,

    /// <summary>A literal address or CIDR prefix.</summary>
    Prefix,

    /// <summary><c>autogroup:...</c>.</summary>
    AutoGroup,
}
