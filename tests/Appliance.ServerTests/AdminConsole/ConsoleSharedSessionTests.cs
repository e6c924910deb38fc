using System.Net;
using Appliance.Hosting.Configuration;
using Appliance.ServerTests.EndToEnd;
using Appliance.TestKit.Postgres;

namespace Appliance.ServerTests.AdminConsole;

/// <summary>
/// Two appliances on one real PostgreSQL database (issue 17's layout): a console session started on A works on B,
/// and a logout on B ends it on A at once.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class ConsoleSharedSessionTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    [Fact]
    public async Task A_console_session_from_instance_A_works_on_instance_B_and_a_logout_on_B_ends_it_on_A()
    {
        var connection = cluster.CreateDatabase("console");
        void OnPostgres(ApplianceOptions o)
        {
            o.Database.Type = DatabaseType.Postgres;
            o.Database.Connection = connection;
        }

        await using var a = await ApplianceUnderTest.StartAsync(identityText: ConsoleClient.IdentityText(), configure: OnPostgres);
        await using var b = await ApplianceUnderTest.StartAsync(identityText: ConsoleClient.IdentityText(), configure: OnPostgres);
        using var onA = await ConsoleClient.LoginAsync(a, "nora@site");

        using var onB = await ConsoleClient.WithSessionAsync(b, onA.SessionCookie);
        await onB.ReadCsrfAsync();
        Assert.Equal(onA.Csrf, onB.Csrf);
        var renamed = await onB.PostAsync("/admin/people"); // a change route nora may not use: refused on B with her name
        Assert.Equal(HttpStatusCode.Forbidden, renamed.Status);
        Assert.Contains("Nora Network", renamed.Page, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.SeeOther, (await onB.PostAsync("/admin/logout")).Status);
        Assert.Equal(HttpStatusCode.SeeOther, (await onA.GetAsync("/admin/nodes")).Status);
    }
}
