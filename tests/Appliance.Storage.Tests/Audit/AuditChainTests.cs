using System.Text;
using Appliance.Storage.Audit;
using Appliance.Storage.Tests.Support;

namespace Appliance.Storage.Tests.Audit;

/// <summary>The audit chain: each kind of tampering is detected and named by file and line; rotation continues the chain.</summary>
public sealed class AuditChainTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly string _folder;
    private readonly AuditAnchorStore _anchors;

    public AuditChainTests()
    {
        _folder = AuditLogFiles.FolderOf(_db.Directory.Path);
        _anchors = new AuditAnchorStore(_db.Database);
    }

    public void Dispose() => _db.Dispose();

    private AuditLogWriter Writer(long max = AuditLogWriter.DefaultMaxFileBytes) => new(_folder, _db.Time, _anchors, max);

    private void Write(int count, long max = AuditLogWriter.DefaultMaxFileBytes)
    {
        var writer = Writer(max);
        for (var i = 0; i < count; i++)
        {
            writer.Append(new AuditEntry("local:alice", "user.create", "user" + i, "ok"));
            _db.Time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    private AuditVerification Verify() => AuditVerifier.Verify(_folder, _anchors.List());

    private string File1 => Path.Combine(_folder, AuditLogFiles.NameOf(1));

    private static List<string> LinesOf(string path) => [.. File.ReadAllText(path).Split('\n')[..^1]];

    private static void WriteLines(string path, IEnumerable<string> lines) => File.WriteAllText(path, string.Concat(lines.Select(l => l + "\n")));

    [Fact]
    public void An_untouched_log_verifies_and_each_line_carries_the_previous_hash()
    {
        Write(5);
        var result = Verify();
        Assert.True(result.Intact, string.Join("\n", result.Problems));
        Assert.Equal(5, result.Records);
        var records = AuditLogReader.Read(_folder).Select(r => r.Record).ToList();
        Assert.Equal(AuditRecord.Genesis, records[0].Prev);
        for (var i = 1; i < records.Count; i++)
        {
            Assert.Equal(records[i - 1].Hash, records[i].Prev);
            Assert.Equal(i + 1, records[i].Seq);
        }
    }

    [Fact]
    public void A_changed_line_is_named()
    {
        Write(5);
        var lines = LinesOf(File1);
        lines[2] = lines[2].Replace("user2", "userX", StringComparison.Ordinal);
        WriteLines(File1, lines);

        var problem = Assert.Single(Verify().Problems);
        Assert.Equal(AuditProblemKind.Changed, problem.Kind);
        Assert.Equal("audit-000001.log:3: changed (its hash does not match its content)", problem.ToString());
    }

    [Fact]
    public void A_changed_line_with_a_recomputed_hash_breaks_the_next_lines_prev()
    {
        Write(5);
        var lines = LinesOf(File1);
        var old = AuditRecord.TryParse(lines[1], out _)!;
        var forged = AuditRecord.Create(old.Seq, old.Time, new AuditEntry(old.Actor, old.Action, "someone-else", old.Result), old.Prev).Line;
        lines[1] = forged;
        WriteLines(File1, lines);

        var problem = Assert.Single(Verify().Problems);
        Assert.Equal(AuditProblemKind.ChainBroken, problem.Kind);
        Assert.Equal(3, problem.Line);
    }

    [Fact]
    public void A_removed_line_is_named()
    {
        Write(5);
        var lines = LinesOf(File1);
        lines.RemoveAt(1);
        WriteLines(File1, lines);

        var problem = Assert.Single(Verify().Problems);
        Assert.Equal(AuditProblemKind.Removed, problem.Kind);
        Assert.StartsWith("audit-000001.log:2: 1 line(s) removed", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_inserted_copy_of_a_line_is_named()
    {
        Write(5);
        var lines = LinesOf(File1);
        lines.Insert(3, lines[1]);
        WriteLines(File1, lines);

        var problem = Assert.Single(Verify().Problems);
        Assert.Equal(AuditProblemKind.InsertedOrReordered, problem.Kind);
        Assert.Equal(4, problem.Line);
    }

    [Fact]
    public void Reordered_lines_are_named()
    {
        Write(5);
        var lines = LinesOf(File1);
        (lines[1], lines[2]) = (lines[2], lines[1]);
        WriteLines(File1, lines);

        var problems = Verify().Problems;
        Assert.NotEmpty(problems);
        Assert.Contains(problems, p => p.File == "audit-000001.log" && p.Line is 2 or 3);
        Assert.All(problems, p => Assert.True(p.Kind is AuditProblemKind.Removed or AuditProblemKind.InsertedOrReordered or AuditProblemKind.ChainBroken, p.ToString()));
    }

    [Fact]
    public void A_foreign_line_is_named()
    {
        Write(3);
        File.AppendAllText(File1, "{\"seq\":4,\"note\":\"hello\"}\n");
        var problem = Assert.Single(Verify().Problems);
        Assert.Equal(AuditProblemKind.Changed, problem.Kind);
        Assert.Equal(4, problem.Line);
    }

    [Fact]
    public void Rotation_continues_the_chain_across_files_and_anchors_each_closed_file()
    {
        Write(40, max: 1000);
        var files = AuditLogFiles.List(_folder);
        Assert.True(files.Count >= 3, $"{files.Count} files");
        var anchors = _anchors.List();
        Assert.Equal(files.Count - 1, anchors.Count);
        var firstOfSecond = AuditRecord.TryParse(LinesOf(files[1].Path)[0], out _)!;
        Assert.Equal(anchors[0].LastHash, firstOfSecond.Prev);
        Assert.Equal(anchors[0].LastSeq + 1, firstOfSecond.Seq);
        var result = Verify();
        Assert.True(result.Intact, string.Join("\n", result.Problems));
        Assert.Equal(40, result.Records);
    }

    [Fact]
    public void A_removed_file_at_a_rotation_boundary_is_named_through_its_anchor()
    {
        Write(40, max: 1000);
        File.Delete(AuditLogFiles.List(_folder)[0].Path);

        var problems = Verify().Problems;
        Assert.Contains(problems, p => p.Kind == AuditProblemKind.FileRemovedOrReplaced && p.File == "audit-000001.log" && p.Message.StartsWith("removed", StringComparison.Ordinal));
    }

    [Fact]
    public void A_removed_middle_file_is_named()
    {
        Write(40, max: 1000);
        File.Delete(AuditLogFiles.List(_folder)[1].Path);

        var problems = Verify().Problems;
        Assert.Contains(problems, p => p.Kind == AuditProblemKind.FileRemovedOrReplaced && p.File == "audit-000002.log");
        Assert.Contains(problems, p => p.Kind == AuditProblemKind.Removed && p.File == "audit-000003.log" && p.Line == 1);
    }

    [Fact]
    public void A_closed_file_replaced_by_a_shortened_rewritten_chain_is_named_through_its_anchor()
    {
        Write(40, max: 1000);
        var first = AuditLogFiles.List(_folder)[0].Path;
        // Forge a whole new, self-consistent first file with fewer lines: the chain inside it verifies,
        // only the anchor (and the next file's prev) can tell.
        var forged = new List<string>();
        var prev = AuditRecord.Genesis;
        for (var i = 1; i <= 3; i++)
        {
            var (record, line) = AuditRecord.Create(i, _db.Time.GetUtcNow(), new AuditEntry("system", "noop", "", "ok"), prev);
            forged.Add(line);
            prev = record.Hash;
        }

        WriteLines(first, forged);
        var problems = Verify().Problems;
        Assert.Contains(problems, p => p.Kind == AuditProblemKind.FileRemovedOrReplaced && p.File == "audit-000001.log");
    }

    [Fact]
    public void A_torn_last_line_is_reported_as_torn_at_end_and_sealed_by_the_next_write()
    {
        Write(3);
        File.AppendAllText(File1, "{\"seq\":4,\"time\":\"2026-");
        var problem = Assert.Single(Verify().Problems);
        Assert.Equal(AuditProblemKind.TornAtEnd, problem.Kind);
        Assert.Equal(4, problem.Line);

        Write(1);
        var after = Verify();
        Assert.True(after.Intact, string.Join("\n", after.Problems));
        var seal = AuditLogReader.Read(_folder).Select(r => r.Record).Single(r => r.Action == AuditLogWriter.TornLineAction);
        Assert.Equal("audit-000001.log:4", seal.Target);
        Assert.Equal(5, after.Records);
    }

    [Fact]
    public void Two_writers_on_one_folder_keep_one_chain()
    {
        var a = Writer();
        var b = Writer();
        Parallel.For(0, 200, i => (i % 2 == 0 ? a : b).Append(new AuditEntry("system", "x", i.ToString(System.Globalization.CultureInfo.InvariantCulture), "ok")));
        var result = Verify();
        Assert.True(result.Intact, string.Join("\n", result.Problems));
        Assert.Equal(200, result.Records);
    }

    [Fact]
    public void Export_filters_by_time()
    {
        var start = _db.Time.GetUtcNow();
        Write(10);
        var picked = AuditLogReader.Read(_folder, start.AddSeconds(3), start.AddSeconds(6)).Select(r => r.Record.Target).ToList();
        Assert.Equal(["user3", "user4", "user5"], picked);
    }

    [Fact]
    public void Random_bytes_never_throw_from_the_parser()
    {
        var random = new Random(15);
        Write(2);
        var good = LinesOf(File1)[1];
        for (var i = 0; i < 2000; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(good);
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            var text = Encoding.UTF8.GetString(bytes);
            var record = AuditRecord.TryParse(text, out var problem);
            Assert.True(record is null ? problem is not null : text == good || record.Hash.Length == 64);
        }
    }
}
