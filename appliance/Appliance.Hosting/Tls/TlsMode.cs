namespace Appliance.Hosting.Tls;

/// <summary><c>tls.mode</c>: where the HTTPS listener's certificate comes from.</summary>
public enum TlsMode
{
    /// <summary><c>local-ca</c> (default): issued and renewed by the appliance's own CA in <c>&lt;data&gt;/ca</c>.</summary>
    LocalCa = 0,

    /// <summary><c>files</c>: <c>tls.cert_file</c> + <c>tls.key_file</c> from the site's PKI, reloaded when replaced.</summary>
    Files = 1,

    /// <summary><c>off</c>: no HTTPS listener.</summary>
    Off = 2,
}
