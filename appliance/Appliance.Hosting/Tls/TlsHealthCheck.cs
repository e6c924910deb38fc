using Appliance.Pki.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Appliance.Hosting.Tls;

/// <summary>
/// Health check for <c>AddHealthChecks().AddCheck&lt;TlsHealthCheck&gt;("tls")</c>: Unhealthy when a served or CA
/// certificate expires within 7 days, Degraded when a third or less of its life remains.
/// </summary>
public sealed class TlsHealthCheck(TlsCertificateStore store) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var report = store.GetHealth();
        var description = report.Findings.Count == 0 ? "certificates valid" : string.Join(" ", report.Findings.Select(f => f.Message));
        return Task.FromResult(report.Status switch
        {
            CertificateHealthStatus.Critical => HealthCheckResult.Unhealthy(description),
            CertificateHealthStatus.Warning => HealthCheckResult.Degraded(description),
            _ => HealthCheckResult.Healthy(description),
        });
    }
}
