namespace Appliance.Pki.Serving;

/// <summary>Where the served certificate came from.</summary>
public enum ServingSource
{
    /// <summary>Issued by the appliance's local CA and renewed automatically.</summary>
    LocalCa = 1,

    /// <summary>A certificate and key file supplied by the site (tls.mode = files); replaced by the site.</summary>
    Files = 2,
}
