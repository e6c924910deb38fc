using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Appliance.Pki.Certificates;
using Appliance.Pki.Files;

namespace Appliance.Pki.Authority;

public sealed partial class LocalCa
{
    /// <summary>Longest client certificate life: a person's certificate is replaced, not renewed in place.</summary>
    public static readonly TimeSpan MaxClientLifetime = TimeSpan.FromDays(825);

    /// <summary>
    /// Issues a client certificate for <paramref name="login"/> under the current intermediate (with its private
    /// key) and records its serial in <c>ca/clients</c>, so <see cref="RevokeClient"/> can find it again.
    /// </summary>
    public X509Certificate2 IssueClientCertificate(string login, TimeSpan lifetime)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(login);
        if (lifetime < TimeSpan.FromHours(1) || lifetime > MaxClientLifetime)
        {
            throw new CaException(CaErrorKind.InvalidRequest, $"A client certificate lives 1 hour to {MaxClientLifetime.TotalDays:0} days, not {lifetime}.");
        }

        var now = Time.GetUtcNow();
        using var key = KeyPolicy.NewKey();
        using var certificate = CertificateFactory.CreateClient(key, login, Intermediate, _intermediateKey, now, lifetime);
        var issued = IssuedClientCertificates().ToList();
        issued.Add(new IssuedClientCertificate(certificate.SerialNumber.ToLowerInvariant(), login, new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero)));
        SecureFile.WriteText(Directory.Clients, IssuedClientCertificate.Format(issued));
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>Every client certificate this CA recorded (<c>ca/clients</c>), revoked or not.</summary>
    public IReadOnlyList<IssuedClientCertificate> IssuedClientCertificates() => IssuedClientCertificate.Read(Directory.Clients);

    /// <summary>Revokes every recorded, unexpired, not yet revoked client certificate of <paramref name="login"/>; returns their serials.</summary>
    public IReadOnlyList<string> RevokeClient(string login)
    {
        var revoked = RevokedSerials();
        var now = Time.GetUtcNow();
        var serials = IssuedClientCertificates()
            .Where(c => c.Login == login && c.NotAfter > now && !revoked.Contains(c.Serial))
            .Select(c => c.Serial)
            .ToList();
        foreach (var serial in serials)
        {
            Revoke(serial);
        }

        return serials;
    }
}

/// <summary>One line of <c>ca/clients</c>: <c>serial login not-after</c>.</summary>
public sealed record IssuedClientCertificate(string Serial, string Login, DateTimeOffset NotAfter)
{
    public static IReadOnlyList<IssuedClientCertificate> Read(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        var result = new List<IssuedClientCertificate>();
        foreach (var line in File.ReadAllLines(path))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3 && DateTimeOffset.TryParse(parts[2], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var notAfter))
            {
                result.Add(new IssuedClientCertificate(parts[0], parts[1], notAfter));
            }
            else if (line.Trim().Length > 0)
            {
                throw new CaException(CaErrorKind.CorruptFile, $"{path}: '{line}' is not 'serial login not-after'.");
            }
        }

        return result;
    }

    public static string Format(IEnumerable<IssuedClientCertificate> issued) =>
        string.Concat(issued.Select(c => $"{c.Serial} {c.Login} {c.NotAfter.ToString("O", CultureInfo.InvariantCulture)}\n"));
}
