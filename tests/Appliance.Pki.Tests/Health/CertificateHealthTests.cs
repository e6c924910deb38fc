using Appliance.Pki.Authority;
using Appliance.Pki.Health;

namespace Appliance.Pki.Tests.Health;

public sealed class CertificateHealthTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static CertificateInfo Leaf(CertificateRole role = CertificateRole.Leaf) =>
        new(role, "CN=appliance.test", "01", new string('a', 64), Start, Start.AddDays(30));

    [Theory]
    [InlineData(1, CertificateHealthStatus.Healthy)]
    [InlineData(19, CertificateHealthStatus.Healthy)]
    [InlineData(21, CertificateHealthStatus.Warning)]
    [InlineData(23.5, CertificateHealthStatus.Critical)]
    [InlineData(31, CertificateHealthStatus.Critical)]
    public void A_thirty_day_leaf_warns_at_one_third_left_and_is_critical_within_seven_days(double day, CertificateHealthStatus expected)
    {
        var report = CertificateHealth.Evaluate([Leaf()], Start.AddDays(day));
        Assert.Equal(expected, report.Status);
        Assert.Equal(expected == CertificateHealthStatus.Critical, report.IsCritical);
        if (expected != CertificateHealthStatus.Healthy)
        {
            Assert.Contains("appliance.test", Assert.Single(report.Findings).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_retired_root_lapsing_is_not_a_problem()
    {
        Assert.Equal(CertificateHealthStatus.Healthy, CertificateHealth.Evaluate([Leaf(CertificateRole.RetiredRoot)], Start.AddDays(40)).Status);
    }
}
