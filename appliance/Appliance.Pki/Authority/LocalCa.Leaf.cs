using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Appliance.Pki.Certificates;
using Appliance.Pki.Files;
using Appliance.Pki.Serving;

namespace Appliance.Pki.Authority;

public sealed partial class LocalCa
{
    /// <summary>
    /// The leaf on disk, or null when there is none or it was revoked (both mean: issue one). A leaf file that
    /// exists but is corrupt or readable by others throws, like every other key file.
    /// </summary>
    public ServingCertificate? LoadLeaf(double renewAt)
    {
        if (!File.Exists(Directory.Leaf))
        {
            return null;
        }

        SecureFile.CheckPrivateFile(Directory.Leaf);
        var text = File.ReadAllText(Directory.Leaf);
        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPem(text, text);
        }
        catch (CryptographicException e)
        {
            throw new CaException(CaErrorKind.CorruptFile, $"{Directory.Leaf} does not hold a certificate and its key ({e.Message}). Delete it to have a new leaf issued.", e);
        }

        if (RevokedSerials().Contains(leaf.SerialNumber.ToLowerInvariant()))
        {
            leaf.Dispose();
            return null;
        }

        return new ServingCertificate(leaf, ServedChain(), ServingSource.LocalCa, renewAt);
    }

    /// <summary>
    /// Issues and stores a new leaf for the configured names. Names outside the intermediate's constraints are
    /// refused with <see cref="CaErrorKind.NameOutsideConstraints"/>; nothing is written then.
    /// </summary>
    public ServingCertificate IssueLeaf(LocalCaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        RequireWithinConstraints(options.DnsNames, options.IpAddresses);
        var now = Time.GetUtcNow();
        using var key = KeyPolicy.NewKey();
        using var certificate = CertificateFactory.CreateLeaf(key, options.DnsNames, options.IpAddresses, Intermediate, _intermediateKey, now, options.LeafLifetime);
        SecureFile.WriteText(Directory.Leaf, key.ExportPkcs8PrivateKeyPem() + "\n" + certificate.ExportCertificatePem() + "\n");
        return LoadLeaf(options.RenewAt)
            ?? throw new CaException(CaErrorKind.CorruptFile, $"{Directory.Leaf} could not be read back after writing.");
    }

    /// <summary>
    /// The leaf to serve now: the stored one if it is unrevoked, before its renewal point, for exactly the
    /// configured names and issued by the current intermediate; otherwise a newly issued one.
    /// </summary>
    public ServingCertificate EnsureLeaf(LocalCaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var current = LoadLeaf(options.RenewAt);
        if (current is not null && IsCurrentFor(current, options))
        {
            return current;
        }

        current?.Dispose();
        return IssueLeaf(options);
    }

    /// <summary>Lists the names that <see cref="IssueLeaf"/> would refuse (empty: all allowed).</summary>
    public IReadOnlyList<string> NamesOutsideConstraints(IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses)
    {
        if (Constraints is null)
        {
            return [];
        }

        return [.. dnsNames.Where(n => !Constraints.Permits(n)), .. addresses.Where(a => !Constraints.Permits(a)).Select(a => a.ToString())];
    }

    /// <summary>Serials (lowercase hex) that must never be served again.</summary>
    public IReadOnlySet<string> RevokedSerials() => RevocationList.Read(Directory.Revoked);

    /// <summary>Certificates sent after the leaf: the intermediate, then the cross certificate while the overlap lasts.</summary>
    internal List<X509Certificate2> ServedChain()
    {
        var chain = new List<X509Certificate2> { X509CertificateLoader.LoadCertificate(Intermediate.RawData) };
        if (Cross is not null && Cross.NotAfter.ToUniversalTime() > Time.GetUtcNow().UtcDateTime &&
            Manifest.RetiredRoots.Any(r => r.OverlapEnds > Time.GetUtcNow()))
        {
            chain.Add(X509CertificateLoader.LoadCertificate(Cross.RawData));
        }

        return chain;
    }

    private bool IsCurrentFor(ServingCertificate leaf, LocalCaOptions options)
    {
        if (Time.GetUtcNow() >= leaf.RenewAfter ||
            !leaf.Leaf.IssuerName.RawData.AsSpan().SequenceEqual(Intermediate.SubjectName.RawData))
        {
            return false;
        }

        var (names, addresses) = LeafNames.Of(leaf.Leaf);
        return names.ToHashSet(StringComparer.OrdinalIgnoreCase).SetEquals(options.DnsNames) &&
            addresses.ToHashSet().SetEquals(options.IpAddresses);
    }

    private void RequireWithinConstraints(IReadOnlyList<string> dnsNames, IReadOnlyList<IPAddress> addresses)
    {
        var outside = NamesOutsideConstraints(dnsNames, addresses);
        if (outside.Count > 0)
        {
            var hint = Mode == CaMode.OfflineRoot
                ? "Run 'appliance ca rotate --offline-root DIR' with the new names to get an intermediate that permits them."
                : "Run 'appliance ca rotate' to issue an intermediate for the new names.";
            throw new CaException(
                CaErrorKind.NameOutsideConstraints,
                $"The intermediate may not sign {string.Join(", ", outside)}: outside its name constraints. {hint}");
        }
    }
}
