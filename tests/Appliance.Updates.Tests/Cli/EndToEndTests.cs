using System.CommandLine;
using Appliance.BundleTool.Cli;
using Appliance.Cli;
using Appliance.Updates.Apply;
using Appliance.Updates.Bundles;
using Appliance.Updates.Tests.TestSupport;
using Appliance.TestKit.Time;

namespace Appliance.Updates.Tests.Cli;

/// <summary>
/// The operator procedure through the real command trees: keys made on two signing stations, root metadata
/// signed 2-of-2, a bundle created, signed by two people in two places, verified, carried to the appliance
/// and imported with `appliance update import` (systemd and the readiness probe are fakes).
/// </summary>
[Trait("Category", "Slow")]
public sealed class EndToEndTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "appliance-e2e-" + Guid.NewGuid().ToString("N"));
    private readonly StringWriter _out = new();
    private readonly StringWriter _err = new();

    public EndToEndTests() => Directory.CreateDirectory(_dir);

    private string P(params string[] parts) => Path.Combine([_dir, .. parts]);

    private async Task<int> Tool(params string[] args)
    {
        _out.GetStringBuilder().Clear();
        _err.GetStringBuilder().Clear();
        return await BundleToolCli.RunAsync(args, _out, _err, TestTime.Create(BundleFactory.Now));
    }

    private async Task<int> Appliance(TempUpdatesRoot root, params string[] args)
    {
        _out.GetStringBuilder().Clear();
        _err.GetStringBuilder().Clear();
        var command = new RootCommand { UpdateCommands.Create(_ => root.Updater()) };
        var parse = command.Parse(["update", "--updates-root", root.Paths.Root, "--health-timeout", "30", "--ready-port", "8080", .. args]);
        Assert.Empty(parse.Errors);
        return await parse.InvokeAsync(new InvocationConfiguration { Output = _out, Error = _err });
    }

    [Fact]
    public async Task A_bundle_made_and_signed_by_two_people_with_appliance_bundle_is_imported_by_appliance_update_import()
    {
        Directory.CreateDirectory(P("vendor"));
        Directory.CreateDirectory(P("alice"));
        Directory.CreateDirectory(P("bob"));
        File.WriteAllText(P("vendor", "pass"), "vendor root passphrase\n");
        File.WriteAllText(P("alice", "pass"), "alice's passphrase\n");
        File.WriteAllText(P("bob", "pass"), "bob's passphrase\n");
        File.WriteAllText(P("bob", "wrong"), "not bob's passphrase\n");

        // Keys: two offline root keys at the vendor, one signing key each for Alice and Bob on their own machines.
        Assert.Equal(0, await Tool("keygen", "--out", P("vendor", "root1"), "--passphrase-file", P("vendor", "pass")));
        Assert.Equal(0, await Tool("keygen", "--out", P("vendor", "root2"), "--passphrase-file", P("vendor", "pass")));
        Assert.Equal(0, await Tool("keygen", "--out", P("alice", "signer"), "--passphrase-file", P("alice", "pass")));
        Assert.Equal(0, await Tool("keygen", "--out", P("bob", "signer"), "--passphrase-file", P("bob", "pass")));
        Assert.Equal(1, await Tool("keygen", "--out", P("bob", "signer"), "--passphrase-file", P("bob", "pass")));
        Assert.Contains("refusing to overwrite", _err.ToString(), StringComparison.Ordinal);

        // Root metadata: root 2-of-2, signing 2-of-2.
        Assert.Equal(0, await Tool("root", "init", "--out", P("vendor", "root.json"),
            "--root-key", P("vendor", "root1.pub"), "--root-key", P("vendor", "root2.pub"), "--root-threshold", "2",
            "--signing-key", P("alice", "signer.pub"), "--signing-key", P("bob", "signer.pub"), "--signing-threshold", "2"));
        Assert.Equal(0, await Tool("root", "sign", P("vendor", "root.json"), "--key", P("vendor", "root1.key"), "--passphrase-file", P("vendor", "pass")));
        Assert.Equal(0, await Tool("root", "sign", P("vendor", "root.json"), "--key", P("vendor", "root2.key"), "--passphrase-file", P("vendor", "pass")));
        Assert.Contains("2 of 2 own root signatures", _out.ToString(), StringComparison.Ordinal);

        // Build and sign: Alice signs on her machine, the file is carried to Bob, Bob signs.
        File.WriteAllBytes(P("vendor", "appliance"), BundleFactory.BinaryFor("1.1.0"));
        File.WriteAllText(P("vendor", "policy.hujson"), "{\"acls\":[]}");
        Assert.Equal(0, await Tool("create", "--out", P("alice", "release.aupd"), "--version", "1.1.0", "--min-version", "1.0.0",
            "--appliance-linux-x64", P("vendor", "appliance"), "--policy", P("vendor", "policy.hujson"),
            "--created", "2026-11-20T00:00:00Z", "--valid-days", "30"));
        Assert.Equal(0, await Tool("sign", P("alice", "release.aupd"), "--key", P("alice", "signer.key"), "--passphrase-file", P("alice", "pass")));
        Assert.Equal(1, await Tool("verify", P("alice", "release.aupd"), "--root", P("vendor", "root.json")));
        Assert.Contains("1 valid signature(s) from distinct trusted keys, 2 required", _err.ToString(), StringComparison.Ordinal);

        File.Copy(P("alice", "release.aupd"), P("bob", "release.aupd"));
        Assert.Equal(1, await Tool("sign", P("bob", "release.aupd"), "--key", P("bob", "signer.key"), "--passphrase-file", P("bob", "wrong")));
        Assert.Contains("wrong passphrase", _err.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await Tool("sign", P("bob", "release.aupd"), "--key", P("bob", "signer.key"), "--passphrase-file", P("bob", "pass")));
        Assert.Equal(0, await Tool("verify", P("bob", "release.aupd"), "--root", P("vendor", "root.json")));
        Assert.Contains("valid: release 1.1.0, 2 of 2", _out.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await Tool("inspect", P("bob", "release.aupd")));
        Assert.Equal(2, _out.ToString().Split("signature:").Length - 1);

        // On the appliance: pin root metadata at install, adopt 1.0.0, import the carried bundle.
        using var root = new TempUpdatesRoot();
        File.Delete(root.Paths.RootMetadata);
        var pinned = await Appliance(root, "root", "import", P("vendor", "root.json"), "--install");
        Assert.True(pinned == 0, _err.ToString());
        Assert.Equal(1, await Appliance(root, "root", "import", P("vendor", "root.json"), "--install"));
        Assert.Equal(0, await Appliance(root, "import", P("bob", "release.aupd")));
        Assert.Contains("release 1.1.0 is running and healthy", _out.ToString(), StringComparison.Ordinal);
        Assert.Equal("releases/1.1.0", root.CurrentTarget());
        Assert.Equal(BundleFactory.BinaryFor("1.1.0"), root.CurrentBinary());
        Assert.Equal("{\"acls\":[]}", File.ReadAllText(Path.Combine(root.Paths.Content, "policy.hujson")));

        Assert.Equal(0, await Appliance(root, "status"));
        Assert.Contains("current:       1.1.0", _out.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await Appliance(root, "history"));
        Assert.Contains("applied", _out.ToString(), StringComparison.Ordinal);

        // Importing the same bundle again is a replay: refused, nothing changes.
        var before = root.Snapshot();
        Assert.Equal(1, await Appliance(root, "import", P("bob", "release.aupd")));
        Assert.Contains("NotNewer", _err.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, root.Snapshot());

        Assert.Equal(0, await Appliance(root, "rollback"));
        Assert.Equal("releases/1.0.0", root.CurrentTarget());
    }

    [Fact]
    public async Task A_bundle_that_fails_its_health_check_after_import_is_rolled_back_through_the_cli()
    {
        using var root = new TempUpdatesRoot();
        root.Probe.Healthy = v => v.ToString() != "1.1.0";
        var bundle = root.WriteBundle(BundleFactory.Release("1.1.0"));

        Assert.Equal(1, await Appliance(root, "import", bundle));

        Assert.Contains("rolledback", _err.ToString(), StringComparison.Ordinal);
        Assert.Equal("releases/1.0.0", root.CurrentTarget());
        Assert.Equal(UpdateResult.NothingToDo, (await root.Updater().RecoverAsync(false, default)).Result);
    }

    [Fact]
    public async Task Root_rotation_through_the_cli_is_accepted_when_signed_by_old_and_new_keys_and_refused_when_forged()
    {
        using var root = new TempUpdatesRoot();
        var next = Updates.Trust.RootMetadata.Create(2, [TestKeys.Root2.Public, TestKeys.Root3.Public], 2,
            [TestKeys.Signer1.Public, TestKeys.Signer2.Public], 2);
        // Forged: names the outsider as a root key; only one pinned root key (Root3) went along with it.
        var forged = Updates.Trust.RootMetadata.Create(2, [TestKeys.Outsider.Public, TestKeys.Root3.Public], 2,
            [TestKeys.Outsider.Public], 1);
        File.WriteAllBytes(P("forged.json"), forged.WithSignature(TestKeys.Outsider).WithSignature(TestKeys.Root3).ToFileBytes());
        var before = root.Snapshot();
        Assert.Equal(1, await Appliance(root, "root", "import", P("forged.json")));
        Assert.Equal(before, root.Snapshot());

        // Root2 and Root3 are a threshold of version 1 (2 of 3) and of version 2 (2 of 2).
        File.WriteAllBytes(P("v2.json"), next.WithSignature(TestKeys.Root2).WithSignature(TestKeys.Root3).ToFileBytes());
        Assert.Equal(0, await Appliance(root, "root", "import", P("v2.json")));
        Assert.Equal(2, root.Updater().PinnedRoot()!.Version);
        Assert.Equal(BundleError.None, (await root.Updater().ImportAsync(root.WriteBundle(BundleFactory.Release("1.1.0")), default)).Error);
    }

    public void Dispose()
    {
        _out.Dispose();
        _err.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
