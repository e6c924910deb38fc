namespace Appliance.Pki.Health;

/// <summary>A certificate's place in the chain, for status output and health reports.</summary>
public enum CertificateRole
{
    Root = 1,
    RetiredRoot = 2,
    CrossCertificate = 3,
    Intermediate = 4,
    Leaf = 5,
}
