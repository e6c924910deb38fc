using Appliance.Hosting.Configuration;
using Appliance.Hosting.Content;
using Appliance.Hosting.Derp;
using Appliance.Hosting.Identity;
using Appliance.Hosting.Systemd;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.Storage.Database;
using Appliance.Storage.Files;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Hosting.Tests.Content;

/// <summary>
/// identity.hujson in the update content replaces identity.file only after the identity parser accepts it, with the
/// atomic write and backup `appliance users` uses, and people it leaves out lose their login (deletions take effect).
/// </summary>
public sealed class IdentityFileContentTests
{
    private const string Both = """{ "people": [ { "login": "alice@site", "role": "admin" }, { "login": "bob@site" } ] }""";
    private const string AliceOnly = """{ "people": [ { "login": "alice@site", "role": "admin", "groups": ["ops"] } ] }""";

    [Fact]
    public void A_bundle_identity_file_replaces_the_file_and_people_it_leaves_out_are_disabled()
    {
        using var setup = new Setup();
        var (folder, identity, identityFile, path) = (setup.Folder, setup.Identity, setup.IdentityFile, setup.Path);
        Assert.False(identity.FindUser("bob@site")!.Disabled);
        var content = setup.Content;

        File.WriteAllText(folder.Files.IdentityFile, AliceOnly);
        var report = content.Apply();

        Assert.Empty(report.Refused);
        Assert.Contains(report.Applied, a => a.StartsWith("identity.hujson: 1 people", StringComparison.Ordinal));
        Assert.Equal(AliceOnly, File.ReadAllText(path));
        Assert.Equal(Both, File.ReadAllText(path + IdentityFileWriter.BackupSuffix));
        Assert.True(identity.FindUser("bob@site")!.Disabled);
        Assert.False(identity.FindUser("alice@site")!.Disabled);
        Assert.Null(identityFile.Current.Find("bob@site"));
        Assert.Empty(UpdateContentValidator.Check(folder.Files, new ApplianceOptions(), DateTimeOffset.UtcNow));

        // The same content again changes nothing; a restart (a new service reading the file) keeps bob out.
        Assert.DoesNotContain(content.Apply().Applied, a => a.StartsWith("identity.hujson", StringComparison.Ordinal));
        using var restarted = FileService(path, identity);
        Assert.True(restarted.Reload());
        Assert.True(identity.FindUser("bob@site")!.Disabled);
    }

    [Fact]
    public void A_bundle_identity_file_that_does_not_validate_never_replaces_the_good_one()
    {
        using var setup = new Setup();
        var (folder, identity, path, content) = (setup.Folder, setup.Identity, setup.Path, setup.Content);

        File.WriteAllText(folder.Files.IdentityFile, "{ \"people\": [\n  { \"login\": \"alice@site\", \"role\": \"emperor\" } ] }");
        var report = content.Apply();

        var problem = Assert.Single(report.Refused);
        Assert.Contains("identity.hujson':2:", problem, StringComparison.Ordinal);
        Assert.Contains("was not changed", problem, StringComparison.Ordinal);
        Assert.Equal(Both, File.ReadAllText(path));
        Assert.False(File.Exists(path + IdentityFileWriter.BackupSuffix));
        Assert.False(identity.FindUser("bob@site")!.Disabled);
        Assert.Contains(UpdateContentValidator.Check(folder.Files, new ApplianceOptions(), DateTimeOffset.UtcNow),
            e => e.Contains("emperor", StringComparison.Ordinal));
    }

    private static IdentityFileService FileService(string path, IdentityService identity) => new(
        new IdentityOptions { File = path, Reload = false }, new DatabaseWriter(identity), new ReloadSignal(NullLogger<ReloadSignal>.Instance),
        TimeProvider.System, NullLogger<IdentityFileService>.Instance);

    /// <summary>A content folder, a database, and the identity file (alice and bob) loaded into it; the content service over them.</summary>
    private sealed class Setup : IDisposable
    {
        private readonly DataDirectory _directory;
        private readonly ApplianceDatabase _database;

        public Setup()
        {
            _directory = DataDirectory.Open(System.IO.Path.Combine(Folder.DataDir, "db"));
            _database = ApplianceDatabase.Open(_directory, TimeProvider.System);
            Identity = new IdentityService(_database, TimeProvider.System);
            Path = System.IO.Path.Combine(Folder.DataDir, "identity.hujson");
            File.WriteAllText(Path, Both);
            IdentityFile = FileService(Path, Identity);
            Assert.True(IdentityFile.Reload());
            Content = new UpdateContentService(
                Folder.Files,
                new EmbeddedDerpMapProvider(new ApplianceOptions(), certName: null, Folder.Files.DerpMap),
                Identity,
                reload: null,
                TimeProvider.System,
                NullLogger<UpdateContentService>.Instance,
                IdentityFile);
        }

        public ContentFolder Folder { get; } = new();

        public IdentityService Identity { get; }

        public string Path { get; }

        public IdentityFileService IdentityFile { get; }

        public UpdateContentService Content { get; }

        public void Dispose()
        {
            IdentityFile.Dispose();
            _database.Dispose();
            _directory.Dispose();
            Folder.Dispose();
        }
    }

    /// <summary>The state seam without a coordinator: people straight to the users table, as the service's writer does first.</summary>
    private sealed class DatabaseWriter(IdentityService identity) : IIdentityStateWriter
    {
        public PeopleApplyResult ApplyPeople(IReadOnlyList<PersonEntry> people, bool expireNodesOfDisabled) => identity.ApplyPeople(people);

        public RegistrationApproval Register(string registrationId, string login) => throw new InvalidOperationException("not in this test");

        public bool Reject(string registrationId, string reason) => false;

        public PendingRegistration? FindPending(string registrationId) => null;
    }
}
