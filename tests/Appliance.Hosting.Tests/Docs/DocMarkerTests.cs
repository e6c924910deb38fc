using System.Text.RegularExpressions;
using Appliance.TestKit;
using Appliance.TestKit.Docs;

namespace Appliance.Hosting.Tests.Docs;

/// <summary>
/// Issue 18: every documented command is executed by a test, or says why not. Every shell block in README.md and
/// docs/**/*.md has, on the line before its fence, `&lt;!-- run --&gt;` (ExecutedDocsTests), a systemd-drill or
/// PostgreSQL marker whose runner knows its id (<see cref="DocBlocks"/>), or a comment naming the test that runs those
/// commands ("run by: tests/...") or why none does ("not run ...: reason"). A test file a marker names must exist.
/// </summary>
public sealed partial class DocMarkerTests
{
    [Fact]
    public void Every_shell_block_is_run_by_a_test_or_says_why_not()
    {
        var unmarked = DocBlocks.All()
            .Where(b => b.IsShell && !IsAccounted(b.Marker))
            .Select(b => $"{b}: {(b.Marker.Length == 0 ? "no marker comment on the line before the fence" : $"'<!-- {b.Marker} -->' says neither which test runs it ('run by: ...') nor why none can ('not run ...: reason')")}")
            .ToList();

        Assert.True(unmarked.Count == 0, "Shell blocks that no test runs and that do not say why:\n" + string.Join('\n', unmarked));
    }

    [Fact]
    public void Every_drill_and_postgres_marker_is_one_its_runner_runs_and_each_is_in_the_docs_once()
    {
        var marked = DocBlocks.All()
            .Select(b => (Block: b, Runner: DocBlocks.RunnerOf(b.Marker)))
            .Where(x => x.Runner is not null)
            .ToList();

        var unknown = marked.Where(x => !DocBlocks.Runs[x.Runner!.Value.Runner].Contains(x.Runner.Value.Id)).Select(x => $"{x.Block}: {x.Block.Marker}").ToList();
        Assert.True(unknown.Count == 0, "Blocks marked for a runner that does not run them (add the id to DocBlocks.Runs and run it there):\n" + string.Join('\n', unknown));

        foreach (var (runner, ids) in DocBlocks.Runs)
        {
            foreach (var id in ids)
            {
                var count = marked.Count(x => x.Runner is { } r && r.Runner == runner && r.Id == id);
                Assert.True(count == 1, $"'<!-- {runner}: {id} -->' marks {count} blocks; its runner expects exactly one");
            }
        }
    }

    [Fact]
    public void Every_test_file_a_marker_names_exists()
    {
        var missing = DocBlocks.All()
            .SelectMany(b => TestPath().Matches(b.Marker).Select(m => (Block: b, Path: m.Value)))
            .Where(x => !File.Exists(Path.Combine(RepoPaths.RepoRoot, x.Path)))
            .Select(x => $"{x.Block}: {x.Path}")
            .ToList();

        Assert.True(missing.Count == 0, "Markers name test files that do not exist:\n" + string.Join('\n', missing));
    }

    [Theory]
    [InlineData("run", true)]
    [InlineData("run in the systemd drill: backup-restore", true)]
    [InlineData("run by: tests/Appliance.Hosting.Tests/Cli/CompletionTests.cs", true)]
    [InlineData("not run: a synopsis; the runnable block below runs the verbs", true)]
    [InlineData("not run by any test: macOS client command", true)]
    [InlineData("", false)]
    [InlineData("run by:", false)]
    [InlineData("not run", false)]
    [InlineData("some remark", false)]
    public void A_marker_counts_only_when_it_names_a_runner_or_a_reason(string marker, bool accounted) =>
        Assert.Equal(accounted, IsAccounted(marker));

    private static bool IsAccounted(string marker) =>
        marker == "run" || DocBlocks.RunnerOf(marker) is not null || RunBy().IsMatch(marker) || NotRun().IsMatch(marker);

    [GeneratedRegex(@"\brun by: \S")]
    private static partial Regex RunBy();

    // "not run", maybe "by WHOM", then a reason of at least a few words.
    [GeneratedRegex(@"^not run\b.*[:(;,].*\w+\s+\w+\s+\w+")]
    private static partial Regex NotRun();

    [GeneratedRegex(@"tests/[A-Za-z0-9_./-]+\.cs")]
    private static partial Regex TestPath();
}
