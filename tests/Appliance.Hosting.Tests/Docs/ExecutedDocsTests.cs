using System.Diagnostics;
using System.Text;
using Appliance.TestKit;

namespace Appliance.Hosting.Tests.Docs;

/// <summary>
/// Every shell block marked `&lt;!-- run --&gt;` in README.md, docs/*.md and docs/ops/*.md runs, in order, against a temporary
/// appliance on loopback (one per file), through the built `appliance` executable in a temporary working folder.
/// A command that fails, a flag that no longer exists, or a `# → TEXT` its output no longer shows fails the test.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ExecutedDocsTests
{
    public static TheoryData<string> DocFiles => new(RunnableFiles());

    /// <summary>The documents of <see cref="DocumentPaths"/> that hold at least one runnable block, relative to the repository.</summary>
    public static IEnumerable<string> RunnableFiles() =>
        DocumentPaths().Where(f => RunnableBlock.In(f).Any()).Select(f => Path.GetRelativePath(RepoPaths.RepoRoot, f));

    /// <summary>README.md, docs/*.md and the operations guides in docs/ops/*.md.</summary>
    public static IEnumerable<string> DocumentPaths() =>
        Directory.GetFiles(Path.Combine(RepoPaths.RepoRoot, "docs"), "*.md")
            .Concat(Directory.GetFiles(Path.Combine(RepoPaths.RepoRoot, "docs", "ops"), "*.md"))
            .Prepend(Path.Combine(RepoPaths.RepoRoot, "README.md"))
            .Order(StringComparer.Ordinal);

    [Fact]
    public void The_user_guides_have_runnable_blocks()
    {
        string[] guides = ["README.md", "docs/cli.md", "docs/operator-guide.md", "docs/operator-guide-ca.md", "docs/operator-guide-updates.md", "docs/policy.md", "docs/ops/audit.md", "docs/ops/backups.md"];
        var files = RunnableFiles().ToHashSet(StringComparer.Ordinal);
        Assert.All(guides, g => Assert.Contains(g, files));
    }

    [Theory]
    [MemberData(nameof(DocFiles))]
    public async Task Every_runnable_block_in_the_file_runs_as_shown(string relativePath)
    {
        var work = Path.Combine(Path.GetTempPath(), "docs-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(work);
        try
        {
            await using var appliance = await DocsAppliance.StartAsync(work);
            var shim = Cli.ApplianceProcess.ShimFolder(work);
            var failures = new List<string>();
            var variables = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var block in RunnableBlock.In(Path.Combine(RepoPaths.RepoRoot, relativePath)))
            {
                foreach (var command in block.Commands)
                {
                    var (exit, output) = await RunAsync(command, appliance, shim, variables);
                    var where = $"{relativePath}:{command.Line}: {command.Text.Split('\n')[0]}";
                    if (exit != command.ExpectedExit)
                    {
                        failures.Add($"{where}\n  exit {exit}, expected {command.ExpectedExit}\n{Indent(output)}");
                        continue;
                    }

                    foreach (var expected in command.Expected.Where(e => !output.Contains(Substitute(e, variables), StringComparison.Ordinal)))
                    {
                        failures.Add($"{where}\n  output does not show '{expected}'\n{Indent(output)}");
                    }
                }
            }

            Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<(int Exit, string Output)> RunAsync(DocCommand command, DocsAppliance appliance, string bin, Dictionary<string, string> variables)
    {
        var text = command.Text
            .Replace("/etc/appliance/appliance.yaml", appliance.ConfigFile, StringComparison.Ordinal)
            .Replace("/var/lib/appliance", appliance.DataDir, StringComparison.Ordinal);
        var assignment = System.Text.RegularExpressions.Regex.Match(text, @"^(?<var>[A-Z_][A-Z0-9_]*)=\$\((?<cmd>.*)\)$");
        var script = assignment.Success ? assignment.Groups["cmd"].Value : text;
        var start = new ProcessStartInfo("bash", ["-c", script])
        {
            WorkingDirectory = appliance.Work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        start.Environment["APPLIANCE_LISTEN"] = appliance.Listen;
        start.Environment["APPLIANCE_HTTPS_LISTEN"] = "127.0.0.1:0";
        start.Environment["APPLIANCE_DERP_STUN_LISTEN"] = "127.0.0.1:0";
        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var output = new StringBuilder(await stdout).Append(await stderr).ToString();
        if (assignment.Success)
        {
            variables[assignment.Groups["var"].Value] = (await stdout).Trim();
        }

        return (process.ExitCode, output);
    }

    private static string Substitute(string text, Dictionary<string, string> variables) =>
        variables.Aggregate(text, (t, v) => t.Replace("$" + v.Key, v.Value, StringComparison.Ordinal));

    private static string Indent(string output) => string.Join('\n', output.TrimEnd().Split('\n').Take(20).Select(l => "    | " + l));
}
