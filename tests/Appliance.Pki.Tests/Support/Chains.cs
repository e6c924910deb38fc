using System.Security.Cryptography.X509Certificates;

namespace Appliance.Pki.Tests.Support;

/// <summary>Builds chains the way a client with a custom trust store does: no network, no system roots.</summary>
public static class Chains
{
    public static BuiltChain Build(X509Certificate2 root, X509Certificate2 leaf, IEnumerable<X509Certificate2> extra, DateTime? at = null) =>
        Build([root], leaf, extra, at);

    public static BuiltChain Build(IEnumerable<X509Certificate2> roots, X509Certificate2 leaf, IEnumerable<X509Certificate2> extra, DateTime? at = null)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(extra.ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1"));
        if (at is { } time)
        {
            chain.ChainPolicy.VerificationTime = time;
        }

        var valid = chain.Build(leaf);
        return new BuiltChain(chain, valid);
    }

    public static (string Root, string Intermediate, string Leaf) WritePems(TempFolder temp, X509Certificate2 root, X509Certificate2 intermediate, X509Certificate2 leaf)
    {
        var prefix = Guid.NewGuid().ToString("N")[..6];
        var paths = (temp.Combine(prefix + "root.pem"), temp.Combine(prefix + "intermediate.pem"), temp.Combine(prefix + "leaf.pem"));
        File.WriteAllText(paths.Item1, root.ExportCertificatePem());
        File.WriteAllText(paths.Item2, intermediate.ExportCertificatePem());
        File.WriteAllText(paths.Item3, leaf.ExportCertificatePem());
        return paths;
    }
}

public sealed record BuiltChain(X509Chain Chain, bool Valid) : IDisposable
{
    public string Describe() => string.Join("; ", Chain.ChainStatus.Select(s => s.Status + ": " + s.StatusInformation));

    public void Dispose() => Chain.Dispose();
}
