namespace Appliance.Pki.Authority;

/// <summary>Where the root private key lives. Persisted in the manifest; never inferred from which files exist.</summary>
public enum CaMode
{
    /// <summary>Root and intermediate keys both in <c>&lt;data&gt;/ca/</c> (the embedded default).</summary>
    Embedded = 1,

    /// <summary>The root key is on removable media; the appliance holds only the name-constrained intermediate.</summary>
    OfflineRoot = 2,
}
