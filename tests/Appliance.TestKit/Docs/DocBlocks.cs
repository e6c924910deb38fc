namespace Appliance.TestKit.Docs;

/// <summary>
/// The fenced blocks of the repository's documentation (README.md and every docs/**/*.md), and the markers that say
/// which test runs a shell block as written:
/// <list type="bullet">
/// <item>`&lt;!-- run --&gt;`: ExecutedDocsTests (tests/Appliance.Hosting.Tests/Docs) against a temporary appliance;</item>
/// <item>`&lt;!-- run in the systemd drill: ID --&gt;`: InstallDrillTests in the booted Debian (<see cref="SystemdDrill"/>);</item>
/// <item>`&lt;!-- run on PostgreSQL: ID --&gt;`: PostgresDocsTests against a throwaway cluster (<see cref="Postgres"/>).</item>
/// </list>
/// Every other shell block carries a comment saying which test runs those commands ("run by: ...") or why none can
/// ("not run ...: reason"); DocMarkerTests fails on a block with neither, and on a drill or PostgreSQL id that its
/// runner does not know.
/// </summary>
public static class DocBlocks
{
    public const string SystemdDrill = "run in the systemd drill";

    public const string Postgres = "run on PostgreSQL";

    /// <summary>The ids each runner runs; DocMarkerTests checks the docs hold exactly these, each once.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Runs = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        [SystemdDrill] = ["backup-restore", "client-trust", "db-password-file"],
        [Postgres] = ["create-role-and-database", "database-config", "replication-role", "replica-base-backup"],
    };

    /// <summary>README.md and docs/**/*.md, relative to the repository, in ordinal order.</summary>
    public static IEnumerable<string> Documents() =>
        Directory.GetFiles(Path.Combine(RepoPaths.RepoRoot, "docs"), "*.md", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepoPaths.RepoRoot, f).Replace('\\', '/'))
            .Prepend("README.md")
            .Order(StringComparer.Ordinal);

    /// <summary>Every fenced block of every document.</summary>
    public static IEnumerable<DocBlock> All() => Documents().SelectMany(In);

    /// <summary>The fenced blocks of one document (relative to the repository).</summary>
    public static IEnumerable<DocBlock> In(string relativeFile)
    {
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.RepoRoot, relativeFile));
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = lines[i].TrimStart();
            if (!fence.StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }

            var language = fence[3..].Trim();
            var body = new List<string>();
            var j = i + 1;
            for (; j < lines.Length && !lines[j].TrimStart().StartsWith("```", StringComparison.Ordinal); j++)
            {
                body.Add(lines[j]);
            }

            yield return new DocBlock(relativeFile, i + 1, language, i > 0 ? MarkerOf(lines[i - 1]) : "", body);
            i = j;
        }
    }

    /// <summary>
    /// The one block marked `&lt;!-- RUNNER: ID --&gt;` in the docs. Throws when there is none or more than one, so a
    /// runner never silently runs nothing.
    /// </summary>
    public static DocBlock Marked(string runner, string id)
    {
        var found = All().Where(b => b.Marker == $"{runner}: {id}").ToList();
        return found.Count == 1 ? found[0]
            : throw new InvalidDataException($"expected one block marked '<!-- {runner}: {id} -->' in README.md or docs/, found {found.Count}");
    }

    /// <summary>The (runner, id) a marker names when it is a drill or PostgreSQL marker; null otherwise.</summary>
    public static (string Runner, string Id)? RunnerOf(string marker)
    {
        ArgumentNullException.ThrowIfNull(marker);
        foreach (var runner in Runs.Keys)
        {
            if (marker.StartsWith(runner + ":", StringComparison.Ordinal))
            {
                return (runner, marker[(runner.Length + 1)..].Trim());
            }
        }

        return null;
    }

    private static string MarkerOf(string line)
    {
        var t = line.Trim();
        return t.StartsWith("<!--", StringComparison.Ordinal) && t.EndsWith("-->", StringComparison.Ordinal) ? t[4..^3].Trim() : "";
    }
}
