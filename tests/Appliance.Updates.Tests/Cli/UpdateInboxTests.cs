using System.CommandLine;
using System.Text;
using Appliance.Cli;
using Appliance.Hosting.UpdateRequests;
using Appliance.Storage.Audit;
using Appliance.Updates.Tests.TestSupport;

namespace Appliance.Updates.Tests.Cli;

/// <summary>
/// `appliance update import --from-inbox`, root's half of an import asked for in the admin console: the request the
/// console left in the inbox is imported like any bundle (verified again, never trusting the console's check), the
/// outcome is recorded with the console person as actor and in result.json, and the inbox is left empty whatever
/// happened. The request files are parsed defensively (they come from the unprivileged service).
/// </summary>
public sealed class UpdateInboxTests
{
    private static readonly DateTimeOffset Asked = BundleFactory.Now;

    private static async Task<(int Code, string Output, string Error)> FromInboxAsync(TempUpdatesRoot root, string dataDir, params string[] extra)
    {
        var command = new RootCommand { UpdateCommands.Create(_ => root.Updater()) };
        CliContext.AddGlobalOptions(command);
        var parse = command.Parse(["update", "--updates-root", root.Paths.Root, "--health-timeout", "30", "--ready-port", "8080", "--data-dir", dataDir, "import", .. extra]);
        var output = new StringWriter();
        var error = new StringWriter();
        if (parse.Errors.Count > 0)
        {
            return (-1, "", string.Join("; ", parse.Errors.Select(e => e.Message)));
        }

        var code = await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    private static string DataDir(TempUpdatesRoot root)
    {
        var dataDir = Path.Combine(root.Directory, "data");
        Directory.CreateDirectory(dataDir);
        // CliAudit records only in a data folder that has a database (it never creates one).
        File.WriteAllBytes(Path.Combine(dataDir, "appliance.db"), []);
        return dataDir;
    }

    private static UpdateRequest Request(string file = "appliance-1.1.0.aupd") =>
        new("req1", file, "alice@site", "admin", "127.0.0.1", "release 1.1.0", Asked);

    private static void Submit(UpdateInbox inbox, byte[] bundle, UpdateRequest request)
    {
        string path;
        using (var stream = inbox.CreateUpload(out path))
        {
            stream.Write(bundle);
        }

        inbox.Submit(path, request);
    }

    private static List<AuditRecord> Audit(string dataDir) =>
        [.. AuditLogReader.Read(AuditLogFiles.FolderOf(dataDir)).Select(r => r.Record)];

    private static void AssertEmptied(UpdateInbox inbox)
    {
        Assert.False(inbox.Busy);
        Assert.False(File.Exists(inbox.BundlePath));
        Assert.DoesNotContain(Directory.EnumerateFiles(inbox.Folder), f => Path.GetFileName(f) != UpdateInbox.ResultFile);
    }

    [Fact]
    public async Task A_request_left_by_the_console_is_imported_as_the_person_who_asked_and_the_inbox_is_emptied()
    {
        using var root = new TempUpdatesRoot();
        var dataDir = DataDir(root);
        var inbox = UpdateInbox.ForDataDirectory(dataDir);
        Submit(inbox, BundleFactory.Release("1.1.0"), Request());
        Assert.True(inbox.Busy);
        Assert.Equal("alice@site", inbox.Read().Waiting?.Person);

        var (code, output, error) = await FromInboxAsync(root, dataDir, "--from-inbox");

        Assert.True(code == 0, output + error);
        Assert.Equal(BundleFactory.BinaryFor("1.1.0"), root.CurrentBinary());
        AssertEmptied(inbox);
        Assert.Empty(Directory.EnumerateFiles(root.Paths.Root, ".inbox-*"));
        var result = inbox.Read().Last!;
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(("req1", "alice@site", "appliance-1.1.0.aupd"), (result.Id, result.Person, result.File));
        Assert.Contains("release 1.1.0 is running and healthy", result.Message, StringComparison.Ordinal);
        var record = Assert.Single(Audit(dataDir));
        Assert.Equal(("alice@site", "update.import", "appliance-1.1.0.aupd (console, admin, from 127.0.0.1)"), (record.Actor, record.Action, record.Target));
        Assert.StartsWith("ok: release 1.1.0", record.Result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bundle_changed_after_the_consoles_check_is_refused_by_roots_own_verification()
    {
        using var root = new TempUpdatesRoot();
        var dataDir = DataDir(root);
        var inbox = UpdateInbox.ForDataDirectory(dataDir);
        var bundle = BundleFactory.Release("1.1.0");
        bundle[^3] ^= 0x5a; // the binary's bytes: the manifest's hash no longer matches
        Submit(inbox, bundle, Request());
        var before = root.CurrentTarget();

        var (code, _, error) = await FromInboxAsync(root, dataDir, "--from-inbox");

        Assert.Equal(1, code);
        Assert.Contains("refused", error, StringComparison.Ordinal);
        Assert.Equal(before, root.CurrentTarget());
        Assert.Empty(root.Restarter.Restarts);
        AssertEmptied(inbox);
        Assert.False(inbox.Read().Last!.Succeeded);
        var record = Assert.Single(Audit(dataDir));
        Assert.Equal("alice@site", record.Actor);
        Assert.StartsWith("failed (Refused", record.Result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bundle_that_is_a_link_is_refused_without_being_followed()
    {
        using var root = new TempUpdatesRoot();
        var dataDir = DataDir(root);
        var inbox = UpdateInbox.ForDataDirectory(dataDir);
        Submit(inbox, BundleFactory.Release("1.1.0"), Request());
        var elsewhere = root.WriteBundle(BundleFactory.Release("1.1.0"), "elsewhere.aupd");
        File.Delete(inbox.BundlePath);
        File.CreateSymbolicLink(inbox.BundlePath, elsewhere);

        var (code, _, error) = await FromInboxAsync(root, dataDir, "--from-inbox");

        Assert.Equal(1, code);
        Assert.Contains("not a regular file", error, StringComparison.Ordinal);
        Assert.Equal(BundleFactory.BinaryFor("1.0.0"), root.CurrentBinary());
        Assert.True(File.Exists(elsewhere));
        AssertEmptied(inbox);
    }

    [Fact]
    public async Task A_request_file_that_is_not_one_is_refused_recorded_and_cleared()
    {
        using var root = new TempUpdatesRoot();
        var dataDir = DataDir(root);
        var inbox = UpdateInbox.ForDataDirectory(dataDir);
        Directory.CreateDirectory(inbox.Folder);
        await File.WriteAllBytesAsync(inbox.BundlePath, BundleFactory.Release("1.1.0"));
        await File.WriteAllTextAsync(inbox.RequestPath, "{\"id\": \"x\", \"person\": 42}");

        var (code, _, error) = await FromInboxAsync(root, dataDir, "--from-inbox");

        Assert.Equal(1, code);
        Assert.Contains("request file is not valid", error, StringComparison.Ordinal);
        Assert.Equal(BundleFactory.BinaryFor("1.0.0"), root.CurrentBinary());
        AssertEmptied(inbox);
        var record = Assert.Single(Audit(dataDir));
        Assert.Equal("local:" + Environment.UserName, record.Actor);
        Assert.StartsWith("failed (", record.Result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_waiting_is_said_and_changes_nothing_and_the_bundle_argument_and_the_inbox_exclude_each_other()
    {
        using var root = new TempUpdatesRoot();
        var dataDir = DataDir(root);
        var before = root.Snapshot();

        var (code, output, _) = await FromInboxAsync(root, dataDir, "--from-inbox");

        Assert.Equal(0, code);
        Assert.Contains("no update request waits in", output, StringComparison.Ordinal);
        Assert.Equal(before, root.Snapshot());
        Assert.Empty(Audit(dataDir));
        Assert.Contains("either a bundle file or --from-inbox", (await FromInboxAsync(root, dataDir)).Error, StringComparison.Ordinal);
        Assert.Contains("either a bundle file or --from-inbox", (await FromInboxAsync(root, dataDir, "--from-inbox", "x.aupd")).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_request_is_refused_while_one_waits_and_an_interrupted_one_is_reported()
    {
        using var root = new TempUpdatesRoot();
        var inbox = UpdateInbox.ForDataDirectory(DataDir(root));
        Submit(inbox, BundleFactory.Release("1.1.0"), Request());
        var busy = Assert.Throws<UpdateInboxBusyException>(() => Submit(inbox, BundleFactory.Release("1.2.0"), Request("other.aupd")));
        Assert.Equal("appliance-1.1.0.aupd", busy.Pending?.File);
        Assert.Equal("appliance-1.1.0.aupd", inbox.Read().Waiting?.File);
        Assert.Equal(BundleFactory.Release("1.1.0").Length, new FileInfo(inbox.BundlePath).Length);

        // An importer that died after taking the request leaves processing.json: the next run reports and clears it.
        var taken = inbox.Take(root.Paths.Root)!;
        Assert.Equal("alice@site", taken.Request?.Person);
        Assert.Equal("alice@site", inbox.Read().Importing?.Person);
        Assert.True(inbox.Busy);
        File.Delete(taken.BundlePath!);
        var stale = inbox.Take(root.Paths.Root)!;
        Assert.True(stale.Interrupted);
        Assert.Null(stale.BundlePath);
        Assert.Contains("interrupted", stale.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Request_and_result_files_round_trip_and_any_other_bytes_are_refused_as_invalid_data()
    {
        var request = Request();
        Assert.Equal(request, UpdateRequest.Parse(request.ToJson()));
        var result = new UpdateRequestResult("req1", "alice@site", "a.aupd", false, "refused (Expired): late", Asked);
        Assert.Equal(result, UpdateRequestResult.Parse(result.ToJson()));

        var random = new Random(19);
        var valid = request.ToJson();
        for (var i = 0; i < 3000; i++)
        {
            byte[] bytes;
            if (i % 2 == 0)
            {
                bytes = (byte[])valid.Clone();
                for (var flips = random.Next(1, 6); flips > 0; flips--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }
            }
            else
            {
                bytes = new byte[random.Next(0, 300)];
                random.NextBytes(bytes);
            }

            Parses(() => UpdateRequest.Parse(bytes));
            Parses(() => UpdateRequestResult.Parse(bytes));
        }

        Assert.Throws<InvalidDataException>(() => UpdateRequest.Parse(new byte[UpdateRequest.MaxFileBytes + 1]));
        Assert.Throws<InvalidDataException>(() => UpdateRequest.Parse(Encoding.UTF8.GetBytes("[1,2]")));
        Assert.Throws<InvalidDataException>(() => UpdateRequest.Parse(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(valid).Replace("alice@site", "alice\\n@site", StringComparison.Ordinal))));

        static void Parses(Action parse)
        {
            try
            {
                parse();
            }
            catch (InvalidDataException)
            {
                // Refused with a reason: the only way a request file may fail.
            }
        }
    }
}
