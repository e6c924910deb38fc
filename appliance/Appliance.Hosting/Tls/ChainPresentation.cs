namespace Appliance.Hosting.Tls;

/// <summary>
/// <c>tls.chain</c>: which certificates the handshake presents. Clients that trust the root (OS store,
/// SSL_CERT_FILE) need the full chain; Go and Android do not fetch missing intermediates. A DERP node whose
/// <c>CertName</c> is a <c>sha256-raw:</c> pin needs the opposite: the client rejects a handshake that presents more
/// than one certificate (tailscale net/tlsdial/tlsdial.go, SetConfigExpectedCertHash: "unexpected multiple certs
/// presented"). See docs/decisions/0053-chain-presentation.md.
/// </summary>
public enum ChainPresentation
{
    /// <summary><c>full</c> (default): leaf + intermediate (+ cross certificate during a root overlap).</summary>
    Full = 0,

    /// <summary>
    /// <c>leaf-only-without-sni</c>: the leaf alone when the client sent no SNI, the full chain otherwise. Go sends no
    /// SNI when it dials an IP literal, so a DERP node with <c>HostName</c> = the appliance's IP and a pin works
    /// beside clients that dial the DNS name and trust the root.
    /// </summary>
    LeafOnlyWithoutSni = 1,

    /// <summary><c>leaf-only</c>: always the leaf alone (every client uses the pin).</summary>
    LeafOnly = 2,
}
