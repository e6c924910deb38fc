using Appliance.Hosting.Tls;

namespace Appliance.Hosting.Configuration;

/// <summary>The `tls:` section: where the HTTPS listener's certificate comes from.</summary>
public sealed class TlsOptions
{
    /// <summary>local-ca (the built-in CA issues and renews the server certificate), files (cert_file + key_file) or off. Default local-ca.</summary>
    public TlsMode Mode { get; set; } = TlsMode.LocalCa;

    /// <summary>PEM certificate chain, required when mode is files.</summary>
    public string CertFile { get; set; } = "";

    /// <summary>PEM private key, required when mode is files.</summary>
    public string KeyFile { get; set; } = "";

    /// <summary>DNS names put in the leaf certificate (local-ca). Default: server_url's host when empty.</summary>
    public List<string> DnsNames { get; set; } = [];

    /// <summary>IP addresses put in the leaf certificate (local-ca). Default none.</summary>
    public List<string> IpAddresses { get; set; } = [];

    /// <summary>Lifetime of a leaf certificate issued by the local CA. 1h..397d, default 30d.</summary>
    public TimeSpan LeafLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Fraction of the leaf lifetime after which it is renewed. 0.1..0.9, default 0.66.</summary>
    public double RenewAt { get; set; } = 0.66;

    /// <summary>Which certificates the handshake presents: full, leaf-only-without-sni or leaf-only. Default full.</summary>
    public ChainPresentation Chain { get; set; } = ChainPresentation.Full;
}
