using System.Net;
using Appliance.Pki.Authority;

namespace Appliance.Hosting.Tls;

/// <summary>
/// The <c>tls:</c> configuration section, filled by the hosting composition root from its config file and
/// environment. Defaults make the embedded appliance "just work" on loopback.
/// </summary>
public sealed class ApplianceTlsOptions
{
    /// <summary><c>tls.mode</c>: local-ca (default) | files | off.</summary>
    public TlsMode Mode { get; init; } = TlsMode.LocalCa;

    /// <summary><c>tls.cert_file</c>: PEM, leaf first then intermediates (files mode only).</summary>
    public string? CertFile { get; init; }

    /// <summary><c>tls.key_file</c>: PEM private key, mode 0600 (files mode only).</summary>
    public string? KeyFile { get; init; }

    /// <summary><c>tls.dns_names</c>. Default (when both lists are empty): <c>localhost</c>.</summary>
    public IReadOnlyList<string> DnsNames { get; init; } = [];

    /// <summary><c>tls.ip_addresses</c>. Default (when both lists are empty): 127.0.0.1 and ::1.</summary>
    public IReadOnlyList<IPAddress> IpAddresses { get; init; } = [];

    /// <summary><c>tls.leaf_lifetime</c>: default 30 days; 1h..397d.</summary>
    public TimeSpan LeafLifetime { get; init; } = TimeSpan.FromDays(30);

    /// <summary><c>tls.renew_at</c>: fraction of the leaf's life after which it is renewed; default 0.66, 0.1..0.9.</summary>
    public double RenewAt { get; init; } = 0.66;

    /// <summary><c>tls.chain</c>: full (default) | leaf-only-without-sni | leaf-only.</summary>
    public ChainPresentation Chain { get; init; } = ChainPresentation.Full;

    /// <summary>
    /// Ask every client for a certificate in the handshake (identity.certificate_login), never require one. Only the
    /// login page looks at it; Tailscale clients, DERP and browsers without a certificate simply send none.
    /// </summary>
    public bool RequestClientCertificate { get; init; }

    /// <summary>identity.client_ca_files: site CAs named as acceptable issuers beside the local CA when <see cref="RequestClientCertificate"/>.</summary>
    public IReadOnlyList<string> ClientCaFiles { get; init; } = [];

    /// <summary>The data folder (its <c>ca/</c> subfolder holds the CA). Resolve it with Appliance.Pki.Files.DataFolder.</summary>
    public string DataDir { get; init; } = "data";

    /// <summary>How often the renewal loop checks dates and files on disk. Default 1 minute; 1s..1h.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The names with the loopback default applied.</summary>
    public (IReadOnlyList<string> DnsNames, IReadOnlyList<IPAddress> Addresses) EffectiveNames() =>
        DnsNames.Count == 0 && IpAddresses.Count == 0
            ? (["localhost"], [IPAddress.Loopback, IPAddress.IPv6Loopback])
            : (DnsNames, IpAddresses);

    public LocalCaOptions ToCaOptions()
    {
        var (names, addresses) = EffectiveNames();
        return new LocalCaOptions { DnsNames = names, IpAddresses = addresses, LeafLifetime = LeafLifetime, RenewAt = RenewAt };
    }

    /// <summary>Every problem, naming the key and a fix; empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Mode == TlsMode.Files && (string.IsNullOrWhiteSpace(CertFile) || string.IsNullOrWhiteSpace(KeyFile)))
        {
            errors.Add("tls.mode is 'files' but tls.cert_file or tls.key_file is empty: set both, or use tls.mode: local-ca.");
        }

        if (CheckInterval < TimeSpan.FromSeconds(1) || CheckInterval > TimeSpan.FromHours(1))
        {
            errors.Add($"The TLS check interval {CheckInterval} is outside 1s..1h.");
        }

        if (Mode == TlsMode.LocalCa)
        {
            errors.AddRange(ToCaOptions().Validate());
        }

        return errors;
    }
}
