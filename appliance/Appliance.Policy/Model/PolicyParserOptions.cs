namespace Appliance.Policy.Model;

/// <summary>What validation needs to know about the tailnet besides the policy text.</summary>
public sealed record PolicyParserOptions
{
    public static readonly PolicyParserOptions Default = new();

    /// <summary>
    /// Login domains that belong to this tailnet; <c>localpart:*@d</c> and <c>user:*@d</c> must name one.
    /// Tailscale associates the tailnet with its owner's domain.
    /// </summary>
    public IReadOnlyList<string> TailnetDomains { get; init; } = [];

    /// <summary>Groups defined outside the policy (<c>group:NAME</c> → login names), merged with its own "groups".</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ExternalGroups { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
}
