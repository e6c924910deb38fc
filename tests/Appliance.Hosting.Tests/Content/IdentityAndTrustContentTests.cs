using Appliance.Hosting.Configuration;
using Appliance.Hosting.Content;
using Appliance.Hosting.Derp;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.Storage.Database;
using Appliance.Storage.Files;
using Appliance.Storage.Stores;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Hosting.Tests.Content;

public class IdentityAndTrustContentTests
{
    [Fact]
    public void Identity_content_creates_and_updates_users_and_never_deletes_one()
    {
        using var folder = new ContentFolder();
        using var directory = DataDirectory.Open(Path.Combine(folder.DataDir, "db"));
        using var database = ApplianceDatabase.Open(directory, TimeProvider.System);
        var identity = new IdentityService(database, TimeProvider.System);
        Assert.True(identity.CreateUser("bob", "Bob").IsOk);
        Assert.True(identity.CreateUser("carol").IsOk);
        var bob = identity.FindUser("bob")!;
        var node = new SqliteNodeRepository(database).Insert(Admin.AdminTestServer.NewNode(1, bob.Id));
        Assert.True(node.IsOk);
        var service = Service(folder, identity);

        File.WriteAllText(folder.Files.Identity, """
            {
              "users": [
                { "name": "alice", "display_name": "Alice Liddell", "email": "alice@example.com" },
                { "name": "carol", "display_name": "Carol" }
              ]
            }
            """);
        var report = service.Apply();

        Assert.Empty(report.Refused);
        Assert.Contains(report.Applied, a => a.Contains("1 user(s) created, 1 updated, 0 unchanged", StringComparison.Ordinal));
        Assert.Equal(("Alice Liddell", "alice@example.com"), (identity.FindUser("alice")!.DisplayName, identity.FindUser("alice")!.Email));
        Assert.Equal("Carol", identity.FindUser("carol")!.DisplayName);
        Assert.NotNull(identity.FindUser("bob"));

        // Unchanged file: nothing to do on the next reload.
        Assert.DoesNotContain(service.Apply().Applied, a => a.StartsWith("identity.json", StringComparison.Ordinal));
    }

    [Fact]
    public void A_broken_identity_file_changes_no_user()
    {
        using var folder = new ContentFolder();
        using var directory = DataDirectory.Open(Path.Combine(folder.DataDir, "db"));
        using var database = ApplianceDatabase.Open(directory, TimeProvider.System);
        var identity = new IdentityService(database, TimeProvider.System);
        var service = Service(folder, identity);

        // The second entry is invalid: the first must not be created either.
        File.WriteAllText(folder.Files.Identity, """{"users":[{"name":"alice"},{"name":"Not A Valid Name!"}]}""");
        var report = service.Apply();

        var problem = Assert.Single(report.Refused);
        Assert.Contains("users[1]", problem, StringComparison.Ordinal);
        Assert.Empty(identity.ListUsers());

        File.WriteAllText(folder.Files.Identity, """{"users":[{"name":"alice"},{"name":"alice"}]}""");
        Assert.Contains("listed twice", Assert.Single(service.Apply().Refused), StringComparison.Ordinal);
        File.WriteAllText(folder.Files.Identity, "{\"users\": [\n{\"name\": \"alice\",}\n]}");
        Assert.Contains(folder.Files.Identity + "':2:", Assert.Single(service.Apply().Refused), StringComparison.Ordinal);
        Assert.Empty(identity.ListUsers());
    }

    [Fact]
    public void Ca_trust_content_accepts_ca_roots_only()
    {
        using var folder = new ContentFolder();
        var now = DateTimeOffset.UtcNow;
        var path = folder.Files.CaTrust;

        File.WriteAllText(path, ContentFolder.CertificatePem(true, now.AddYears(1), "CN=One") + ContentFolder.CertificatePem(true, now.AddYears(2), "CN=Two"));
        var roots = CaTrustFile.Load(path, now);
        Assert.Equal(["CN=One", "CN=Two"], roots.Select(r => r.Subject));

        var first = ContentFolder.CertificatePem(true, now.AddYears(1));
        File.WriteAllText(path, first + ContentFolder.CertificatePem(false, now.AddYears(1), "CN=leaf"));
        var leaf = Assert.Throws<InvalidDataException>(() => CaTrustFile.Load(path, now));
        Assert.Contains($"':{first.Count('\n') + 1}:", leaf.Message, StringComparison.Ordinal);
        Assert.Contains("not a CA certificate", leaf.Message, StringComparison.Ordinal);

        File.WriteAllText(path, ContentFolder.CertificatePem(true, now.AddDays(-1)));
        Assert.Contains("expired", Assert.Throws<InvalidDataException>(() => CaTrustFile.Load(path, now)).Message, StringComparison.Ordinal);

        File.WriteAllText(path, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        Assert.Contains("only CERTIFICATE blocks", Assert.Throws<InvalidDataException>(() => CaTrustFile.Load(path, now)).Message, StringComparison.Ordinal);

        File.WriteAllText(path, "nothing here\n");
        Assert.Contains("no CERTIFICATE block", Assert.Throws<InvalidDataException>(() => CaTrustFile.Load(path, now)).Message, StringComparison.Ordinal);
    }

    private static UpdateContentService Service(ContentFolder folder, IdentityService identity) => new(
        folder.Files,
        new EmbeddedDerpMapProvider(new ApplianceOptions(), certName: null, folder.Files.DerpMap),
        identity,
        reload: null,
        TimeProvider.System,
        NullLogger<UpdateContentService>.Instance);
}
