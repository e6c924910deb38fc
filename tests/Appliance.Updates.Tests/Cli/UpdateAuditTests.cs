using System.CommandLine;
using Appliance.Cli;
using Appliance.Storage.Audit;
using Appliance.Updates.Tests.TestSupport;

namespace Appliance.Updates.Tests.Cli;

/// <summary>
/// `update import` and `update rollback` are audit records (docs/ops/audit.md, journal event 6006) in the data
/// folder's log, with the OS user, the bundle and the outcome, refused ones included.
/// </summary>
public sealed class UpdateAuditTests
{
    private static async Task<int> UpdateAsync(TempUpdatesRoot root, string dataDir, params string[] args)
    {
        var command = new RootCommand { UpdateCommands.Create(_ => root.Updater()) };
        CliContext.AddGlobalOptions(command);
        var parse = command.Parse(["update", "--updates-root", root.Paths.Root, "--health-timeout", "30", "--ready-port", "8080", "--data-dir", dataDir, .. args]);
        Assert.Empty(parse.Errors);
        return await parse.InvokeAsync(new InvocationConfiguration { Output = new StringWriter(), Error = new StringWriter() });
    }

    [Fact]
    public async Task Imports_and_rollbacks_are_recorded_with_the_bundle_and_outcome()
    {
        using var root = new TempUpdatesRoot();
        root.Restarter.Watch = root.Paths;
        var dataDir = Path.Combine(root.Directory, "data");
        Directory.CreateDirectory(dataDir);
        // CliAudit records only in a data folder that has a database (it never creates one).
        await File.WriteAllBytesAsync(Path.Combine(dataDir, "appliance.db"), []);

        var bundle = root.WriteBundle(BundleFactory.Release("1.1.0"));
        var junk = root.WriteBundle("not a bundle"u8.ToArray(), "junk.aupd");
        Assert.Equal(0, await UpdateAsync(root, dataDir, "import", bundle));
        Assert.NotEqual(0, await UpdateAsync(root, dataDir, "import", junk));
        Assert.Equal(0, await UpdateAsync(root, dataDir, "rollback"));

        var records = AuditLogReader.Read(AuditLogFiles.FolderOf(dataDir)).Select(r => r.Record).ToList();
        Assert.Equal(["update.import", "update.import", "update.rollback"], records.Select(r => r.Action));
        Assert.All(records, r => Assert.Equal("local:" + Environment.UserName, r.Actor));
        Assert.Equal(bundle, records[0].Target);
        Assert.StartsWith("ok: ", records[0].Result, StringComparison.Ordinal);
        Assert.Contains("1.1.0", records[0].Result, StringComparison.Ordinal);
        Assert.Equal(junk, records[1].Target);
        Assert.StartsWith("failed (", records[1].Result, StringComparison.Ordinal);
        Assert.Equal("1.0.0", records[2].Target);
        Assert.StartsWith("ok: ", records[2].Result, StringComparison.Ordinal);
        Assert.True(AuditVerifier.Verify(AuditLogFiles.FolderOf(dataDir), []).Intact);
    }
}
