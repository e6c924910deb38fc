using Appliance.Pki.Authority;

namespace Appliance.Pki.Health;

/// <summary>
/// Judges certificates by their dates. Two thresholds:
/// <list type="bullet">
/// <item>Warning: a third of the life or less remains. A CA-issued leaf is renewed at two thirds, so a leaf in this
/// state means renewal is failing; for an intermediate it is the security officer's cue to bring the offline
/// root (a year ahead with the default three-year intermediate); for a site-supplied certificate it is the cue to
/// order a new one.</item>
/// <item>Critical: it expires within <see cref="CriticalWindow"/> (7 days) or has expired. /ready reports this.</item>
/// </list>
/// Retired roots are skipped: they are meant to lapse.
/// </summary>
public static class CertificateHealth
{
    public static readonly TimeSpan CriticalWindow = TimeSpan.FromDays(7);

    public static CertificateHealthReport Evaluate(IEnumerable<CertificateInfo> certificates, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        var findings = new List<CertificateFinding>();
        foreach (var certificate in certificates.Where(c => c.Role != CertificateRole.RetiredRoot))
        {
            var life = certificate.NotAfter - certificate.NotBefore;
            var remaining = certificate.NotAfter - now;
            if (remaining <= TimeSpan.Zero)
            {
                findings.Add(new(certificate, CertificateHealthStatus.Critical, $"{certificate.Role} '{certificate.Subject}' expired at {certificate.NotAfter:u}."));
            }
            else if (remaining <= CriticalWindow)
            {
                findings.Add(new(certificate, CertificateHealthStatus.Critical, $"{certificate.Role} '{certificate.Subject}' expires within 7 days, at {certificate.NotAfter:u}."));
            }
            else if (remaining <= life / 3)
            {
                findings.Add(new(certificate, CertificateHealthStatus.Warning, $"{certificate.Role} '{certificate.Subject}' has a third or less of its life left; it expires at {certificate.NotAfter:u}."));
            }
        }

        var status = findings.Count == 0 ? CertificateHealthStatus.Healthy : findings.Max(f => f.Status);
        return new CertificateHealthReport(status, findings);
    }
}

/// <summary>Overall result; <see cref="Findings"/> names each certificate that caused it.</summary>
public sealed record CertificateHealthReport(CertificateHealthStatus Status, IReadOnlyList<CertificateFinding> Findings)
{
    public static CertificateHealthReport Healthy { get; } = new(CertificateHealthStatus.Healthy, []);

    /// <summary>True when a certificate has expired or expires within 7 days: readiness should fail.</summary>
    public bool IsCritical => Status == CertificateHealthStatus.Critical;
}

public sealed record CertificateFinding(CertificateInfo Certificate, CertificateHealthStatus Status, string Message);

/// <summary>Ordered by severity.</summary>
public enum CertificateHealthStatus
{
    Healthy = 0,
    Warning = 1,
    Critical = 2,
}
