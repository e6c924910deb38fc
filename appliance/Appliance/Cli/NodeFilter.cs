using Appliance.Hosting.Admin;

namespace Appliance.Cli;

/// <summary>`nodes list` filters beyond --user (which the API applies): tag, online, expired. All must match.</summary>
public sealed record NodeFilter(string? Tag, bool OnlineOnly, bool ExpiredOnly)
{
    public IReadOnlyList<NodeDto> Apply(IReadOnlyList<NodeDto> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        return [.. nodes.Where(n =>
            (Tag is null || n.Tags.Contains(Tag, StringComparer.Ordinal))
            && (!OnlineOnly || n.Online == true)
            && (!ExpiredOnly || n.Expired))];
    }
}
