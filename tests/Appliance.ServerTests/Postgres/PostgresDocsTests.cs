using System.Diagnostics;
using Appliance.ServerTests.Support;
using Appliance.TestKit.Docs;
using Appliance.TestKit.Postgres;

namespace Appliance.ServerTests.Postgres;

/// <summary>
/// Issue 18: the PostgreSQL commands of docs/ops/postgresql.md and docs/ops/ha.md, read from the blocks marked
/// `&lt;!-- run on PostgreSQL: ID --&gt;` and run as written against a throwaway cluster whose superuser is `postgres`
/// and whose other roles must give their password (scram-sha-256), as on a site's server. `--pwprompt` and
/// pg_basebackup's password prompt are answered on a pseudo-terminal (util-linux `script`), as an operator types.
/// Only what a document cannot know is substituted: the server (db.example → the cluster's socket folder), the
/// password file's and the replica's paths, and the password file's owner (the appliance user does not exist here;
/// the systemd drill runs that line as written). Then `appliance serve` runs on the documented config, and a wrong
/// password is refused.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class PostgresDocsTests : IDisposable
{
    private const string Password = "the password";

    private readonly PostgresCluster _cluster = PostgresCluster.Create("postgres", passwordsForOtherRoles: true);
    private readonly string _work = Directory.CreateTempSubdirectory("apl-pgdocs-").FullName;

    [Fact]
    public async Task The_documented_role_database_password_file_and_config_give_a_serve_on_postgresql()
    {
        // docs/ops/postgresql.md, "Set up": the role (password typed twice at the prompt) and its database.
        foreach (var line in DocBlocks.Marked(DocBlocks.Postgres, "create-role-and-database").Commands)
        {
            await MustAsync(line, line.Contains("--pwprompt", StringComparison.Ordinal)
                ? [("Enter password for new role:", Password), ("Enter it again:", Password)]
                : []);
        }

        Assert.Equal("t", await SqlAsync("postgres", "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'appliance'"));
        Assert.Equal("appliance", await SqlAsync("postgres", "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'tailnet'"));

        // The password file, by the line the drill runs as written (there as root for the appliance user).
        var passwordFile = Path.Combine(_work, "db-password");
        var fileLine = Assert.Single(DocBlocks.Marked(DocBlocks.SystemdDrill, "db-password-file").Commands);
        await MustAsync(fileLine
            .Replace("/etc/appliance/db-password", passwordFile, StringComparison.Ordinal)
            .Replace("-o appliance", "-o " + Environment.UserName, StringComparison.Ordinal));

        // The documented config, with the server's address and the file's path of this machine.
        var block = DocBlocks.Marked(DocBlocks.Postgres, "database-config");
        Assert.Equal("yaml", block.Language);
        var config = Path.Combine(_work, "appliance.yaml");
        await File.WriteAllLinesAsync(config, block.Lines.Select(l => l
            .Replace("db.example", _cluster.Folder, StringComparison.Ordinal)
            .Replace("/etc/appliance/db-password", passwordFile, StringComparison.Ordinal)));

        var data = Path.Combine(_work, "data");
        var port = FreePort.Next();
        var server = new Uri($"http://127.0.0.1:{port}");
        string[] serve = ["serve", "-c", config, "--data-dir", data, "--listen", $"127.0.0.1:{port}"];
        var environment = new Dictionary<string, string> { ["APPLIANCE_LOG_FILE"] = "off" };
        using (var appliance = ApplianceProcess.Start(serve, environment))
        {
            Assert.True(await Http.WaitForHealthAsync(server, appliance, TimeSpan.FromSeconds(60)) == "ok", appliance.Stdout + appliance.Stderr);
            var created = await ApplianceProcess.RunAsync(["users", "create", "alice", "-c", config, "--data-dir", data], environment);
            Assert.True(created.ExitCode == 0, created.Stdout + created.Stderr);
            appliance.Terminate();
            Assert.Equal(0, await appliance.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        // The tables are the appliance role's, in the documented database, and hold what the CLI wrote.
        Assert.Equal("alice", await SqlAsync("tailnet", "SELECT name FROM users"));
        Assert.Equal("appliance", await SqlAsync("tailnet", "SELECT tableowner FROM pg_tables WHERE tablename = 'users'"));
        Assert.False(File.Exists(Path.Combine(data, "appliance.db")));

        // The password is checked: another one in the file is refused (exit 65), naming the server, never the password.
        await File.WriteAllTextAsync(passwordFile, "not the password\n");
        using (var refused = ApplianceProcess.Start(serve, environment))
        {
            Assert.Equal(65, await refused.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("tailnet", refused.Stderr + refused.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("not the password", refused.Stderr + refused.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_documented_replication_role_takes_a_base_backup_that_starts_as_a_standby()
    {
        // docs/ops/ha.md, "PostgreSQL replica": the role on the primary, then the replica's base backup.
        foreach (var line in DocBlocks.Marked(DocBlocks.Postgres, "replication-role").Commands)
        {
            await MustAsync(line, ("Enter password for new role:", "replica secret"), ("Enter it again:", "replica secret"));
        }

        Assert.Equal("t", await SqlAsync("postgres", "SELECT rolreplication FROM pg_roles WHERE rolname = 'replicator'"));

        var replica = Path.Combine(_work, "replica");
        foreach (var line in DocBlocks.Marked(DocBlocks.Postgres, "replica-base-backup").Commands)
        {
            var command = System.Text.RegularExpressions.Regex.Replace(line, @"/var/lib/postgresql/\d+/main", replica)
                .Replace("db-primary.example", _cluster.Folder, StringComparison.Ordinal);
            await MustAsync(command, ("Password:", "replica secret"));
        }

        // -R: the copy starts as a standby streaming from the primary as the replication role.
        Assert.True(File.Exists(Path.Combine(replica, "standby.signal")));
        var auto = await File.ReadAllTextAsync(Path.Combine(replica, "postgresql.auto.conf"));
        Assert.Contains("primary_conninfo", auto, StringComparison.Ordinal);
        Assert.Contains("user=replicator", auto, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _cluster.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    /// <summary>
    /// Runs a documented command line with bash as the superuser's client (PGHOST: the cluster's socket folder), with
    /// the cluster's binaries first on PATH. With a <paramref name="dialogue"/>, it runs on a pseudo-terminal and each
    /// answer is typed once its prompt has appeared, as a person does: PostgreSQL's prompt turns echo off with
    /// TCSAFLUSH (src/common/sprompt.c), which discards anything typed before the prompt is printed.
    /// </summary>
    private async Task MustAsync(string line, params (string Prompt, string Answer)[] dialogue)
    {
        var script = dialogue.Length == 0 ? line : $"script -qec {Quote(line)} /dev/null";
        var start = new ProcessStartInfo("bash", ["-c", script])
        {
            WorkingDirectory = _work,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PATH"] = _cluster.BinFolder + ":" + Environment.GetEnvironmentVariable("PATH");
        start.Environment["PGHOST"] = _cluster.Folder;
        start.Environment["PGUSER"] = _cluster.SuperuserName;
        using var process = Process.Start(start)!;
        var stdout = new System.Text.StringBuilder();
        var reading = ReadAllAsync(process.StandardOutput, stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var seen = 0;
        foreach (var (prompt, answer) in dialogue)
        {
            while (true)
            {
                int at;
                lock (stdout)
                {
                    at = stdout.ToString().IndexOf(prompt, seen, StringComparison.Ordinal);
                }

                if (at >= 0)
                {
                    seen = at + prompt.Length;
                    break;
                }

                if (process.HasExited)
                {
                    Assert.Fail($"'{line}' exited before asking '{prompt}'\n{stdout}\n{await stderr}");
                }

                await Task.Delay(50, timeout.Token);
            }

            await process.StandardInput.WriteAsync(answer + "\n");
            await process.StandardInput.FlushAsync();
        }

        // `script` forwards stdin to the terminal; closing it before the command exits could end the session early.
        await process.WaitForExitAsync(timeout.Token);
        process.StandardInput.Close();
        await reading;
        Assert.True(process.ExitCode == 0, $"'{line}' exited {process.ExitCode}\nstdout: {stdout}\nstderr: {await stderr}");
    }

    private static async Task ReadAllAsync(StreamReader reader, System.Text.StringBuilder into)
    {
        var buffer = new char[1024];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (into)
            {
                into.Append(buffer, 0, read);
            }
        }
    }

    /// <summary>One value from psql, as the superuser.</summary>
    private async Task<string> SqlAsync(string database, string sql)
    {
        var start = new ProcessStartInfo(Path.Combine(_cluster.BinFolder, "psql"), ["-h", _cluster.Folder, "-U", _cluster.SuperuserName, "-d", database, "-tAc", sql])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"psql '{sql}' exited {process.ExitCode}: {await stderr}");
        return (await stdout).Trim();
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
