using System.Net;

namespace Appliance.Pki.Authority;

/// <summary>What the local CA issues: the names and addresses of the appliance and the lifetimes.</summary>
public sealed class LocalCaOptions
{
    /// <summary>DNS names in the leaf's SANs and the intermediate's permitted subtrees. Default: none.</summary>
    public IReadOnlyList<string> DnsNames { get; init; } = [];

    /// <summary>IP addresses in the leaf's SANs and the intermediate's permitted ranges (as /32 or /128).</summary>
    public IReadOnlyList<IPAddress> IpAddresses { get; init; } = [];

    /// <summary>Leaf lifetime. Default 30 days; 1 hour to 397 days (Apple's limit for TLS server certificates).</summary>
    public TimeSpan LeafLifetime { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Fraction of the leaf's life after which it is renewed. Default 0.66; 0.1 to 0.9.</summary>
    public double RenewAt { get; init; } = 0.66;

    /// <summary>Root lifetime. Default 10 years: long, because every client must re-trust a new root.</summary>
    public TimeSpan RootLifetime { get; init; } = TimeSpan.FromDays(3652);

    /// <summary>Intermediate lifetime. Default 3 years; replacing it needs the root key (offline in that mode).</summary>
    public TimeSpan IntermediateLifetime { get; init; } = TimeSpan.FromDays(1096);

    /// <summary>Overlap during which a replaced root stays in the trust bundle and is cross-signed. Default 90 days.</summary>
    public TimeSpan RootOverlap { get; init; } = TimeSpan.FromDays(90);

    /// <summary>Collects every problem, naming the setting and a fix; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (DnsNames.Count == 0 && IpAddresses.Count == 0)
        {
            errors.Add("tls.dns_names and tls.ip_addresses are both empty: give the appliance at least one name or address.");
        }

        foreach (var name in DnsNames)
        {
            if (!IsDnsName(name))
            {
                errors.Add($"tls.dns_names: '{name}' is not a DNS name (letters, digits, '-', '.'; a leading '*.' for a wildcard).");
            }
        }

        if (LeafLifetime < TimeSpan.FromHours(1) || LeafLifetime > TimeSpan.FromDays(397))
        {
            errors.Add($"tls.leaf_lifetime {LeafLifetime} is outside 1h..397d.");
        }

        if (RenewAt is < 0.1 or > 0.9 || double.IsNaN(RenewAt))
        {
            errors.Add($"tls.renew_at {RenewAt} is outside 0.1..0.9 (fraction of the leaf's life).");
        }

        if (IntermediateLifetime <= LeafLifetime || RootLifetime < IntermediateLifetime)
        {
            errors.Add("CA lifetimes must satisfy leaf < intermediate <= root.");
        }

        return errors;
    }

    /// <summary>Throws <see cref="CaException"/> listing every problem from <see cref="Validate"/>.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new CaException(CaErrorKind.InvalidRequest, string.Join(Environment.NewLine, errors));
        }
    }

    private static bool IsDnsName(string name)
    {
        var body = name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name;
        if (body.Length is 0 or > 253 || body.StartsWith('.') || body.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        return body.TrimEnd('.').Split('.').All(label =>
            label.Length is > 0 and <= 63 && !label.StartsWith('-') && !label.EndsWith('-') &&
            label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'));
    }
}
