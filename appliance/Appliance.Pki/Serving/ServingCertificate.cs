using System.Security.Cryptography.X509Certificates;
using Appliance.Pki.Export;

namespace Appliance.Pki.Serving;

/// <summary>
/// An immutable snapshot of what the HTTPS listener serves: the leaf with its private key and the certificates
/// sent after it (intermediate, and during a root overlap the cross certificate). Swapped whole on renewal.
/// </summary>
public sealed class ServingCertificate : IDisposable
{
    public ServingCertificate(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> chain, ServingSource source, double renewAt)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(chain);
        if (!leaf.HasPrivateKey)
        {
            throw new ArgumentException("The serving leaf must carry its private key.", nameof(leaf));
        }

        Leaf = leaf;
        Chain = chain;
        Source = source;
        NotBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        NotAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        RenewAfter = NotBefore + ((NotAfter - NotBefore) * renewAt);
        Pin = CertificatePins.DerpCertName(leaf);
        SerialNumber = leaf.SerialNumber.ToLowerInvariant();
    }

    public X509Certificate2 Leaf { get; }

    /// <summary>Certificates sent after the leaf, issuer first; never the self-signed root.</summary>
    public IReadOnlyList<X509Certificate2> Chain { get; }

    public ServingSource Source { get; }

    public DateTimeOffset NotBefore { get; }

    public DateTimeOffset NotAfter { get; }

    /// <summary>When the renewal loop replaces a CA-issued leaf (and warns about a site-supplied one).</summary>
    public DateTimeOffset RenewAfter { get; }

    /// <summary>The DERP <c>CertName</c> pin of this leaf: <c>sha256-raw:&lt;hex&gt;</c>.</summary>
    public string Pin { get; }

    /// <summary>Lowercase hex serial, as <c>appliance ca revoke</c> takes it.</summary>
    public string SerialNumber { get; }

    public void Dispose()
    {
        Leaf.Dispose();
        foreach (var certificate in Chain)
        {
            certificate.Dispose();
        }
    }
}
