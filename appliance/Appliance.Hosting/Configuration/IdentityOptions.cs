namespace Appliance.Hosting.Configuration;

/// <summary>The `identity:` section: the identity file (people, their roles, groups and login secrets; docs/identity.md).</summary>
public sealed class IdentityOptions
{
    /// <summary>
    /// HuJSON identity file. Default /etc/appliance/identity.hujson. When the file does not exist the appliance
    /// runs without it (users from `appliance users create` only, no login page logins).
    /// </summary>
    public string File { get; set; } = "/etc/appliance/identity.hujson";

    /// <summary>Reload the file when it changes; SIGHUP always reloads. A broken edit keeps the last good file. Default true.</summary>
    public bool Reload { get; set; } = true;

    /// <summary>When a person is removed from (or disabled in) the file, expire their nodes too. Default false: only their login stops.</summary>
    public bool ExpireNodesOnRemoval { get; set; }

    /// <summary>
    /// Client-certificate login on the login page (docs/identity.md): the HTTPS listener asks every client for a
    /// certificate (never requires one) and a person whose certificate from the local CA (or a site CA,
    /// <see cref="ClientCaFiles"/>) matches their
    /// client_certificate field logs in without a password (their TOTP code is still asked). Default false.
    /// </summary>
    public bool CertificateLogin { get; set; }

    /// <summary>
    /// PEM files with a site CA (smart cards) trusted for client-certificate login besides the local CA: the site's
    /// root(s), optionally followed by its issuing CAs. The TLS listener names them as acceptable issuers. Default none.
    /// </summary>
    public List<string> ClientCaFiles { get; set; } = [];

    /// <summary>
    /// CRL files (PEM or DER) of the site CA, checked offline. When any is set, the CA that issued a site certificate
    /// must have a current list here or the certificate is refused. Replace a file to update it (read on change).
    /// </summary>
    public List<string> ClientCrlFiles { get; set; } = [];
}
