using System.Diagnostics;
using System.Globalization;

namespace Appliance.TestKit.Postgres;

/// <summary>
/// A throwaway PostgreSQL cluster from Debian's `postgresql` package (no mock stands in for it): `initdb` in a temp
/// folder, `pg_ctl start` listening only on a unix socket in that folder (no TCP port at all), trust auth for the
/// superuser `appliance`, and `createdb` for each database a test asks for. Dispose stops it (`-m immediate`) and
/// deletes the folder, also when a test failed. Use it as an xunit class fixture: one cluster per test class.
/// initdb refuses to run as root, so under root (CI) the server runs as the `postgres` user the package creates
/// (or `nobody`), through `runuser`.
/// </summary>
public sealed class PostgresCluster : IDisposable
{
    /// <summary>The superuser initdb creates; tests connect as it.</summary>
    public const string Superuser = "appliance";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly string? _runAs;
    private int _databases;
    private bool _started;

    public PostgresCluster()
        : this(Superuser, passwordsForOtherRoles: false)
    {
    }

    /// <summary>
    /// A cluster whose superuser is <paramref name="superuser"/> (trusted on the socket, as Debian's `postgres` is
    /// through peer authentication); with <paramref name="passwordsForOtherRoles"/> every other role must log in with
    /// its password (scram-sha-256), also for replication, as on a site's server, so a wrong password is refused.
    /// A factory, not a second public constructor: xUnit refuses a class fixture with more than one.
    /// </summary>
    public static PostgresCluster Create(string superuser, bool passwordsForOtherRoles) => new(superuser, passwordsForOtherRoles);

    private PostgresCluster(string superuser, bool passwordsForOtherRoles)
    {
        SuperuserName = superuser;
        BinFolder = FindBinaries();
        Folder = Directory.CreateTempSubdirectory("appliance-pg-").FullName;
        _runAs = Environment.IsPrivilegedProcess ? ServerUser() : null;
        try
        {
            if (_runAs is not null)
            {
                Run("chown", [_runAs, Folder], asServer: false);
            }

            Run(Path.Combine(BinFolder, "initdb"), ["-D", DataFolder, "-U", SuperuserName, "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"], asServer: true);
            if (passwordsForOtherRoles)
            {
                File.WriteAllText(Path.Combine(DataFolder, "pg_hba.conf"), $"""
                    local all {superuser} trust
                    local replication {superuser} trust
                    local all all scram-sha-256
                    local replication all scram-sha-256

                    """);
            }

            Run(
                Path.Combine(BinFolder, "pg_ctl"),
                [
                    "-D", DataFolder, "-l", LogFile, "-w", "-t", "60",
                    "-o", $"-k {Folder} -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
                    "start",
                ],
                asServer: true);
            _started = true;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The superuser of this cluster (<see cref="Superuser"/> unless a test chose another).</summary>
    public string SuperuserName { get; }

    /// <summary>The folder holding the data folder, the log and the server's unix socket.</summary>
    public string Folder { get; }

    /// <summary>Debian's /usr/lib/postgresql/VERSION/bin (the newest version installed).</summary>
    public string BinFolder { get; }

    public string DataFolder => Path.Combine(Folder, "data");

    public string LogFile => Path.Combine(Folder, "server.log");

    /// <summary>The Npgsql connection string of <paramref name="database"/> (Host is the socket folder).</summary>
    public string ConnectionString(string database) =>
        $"Host={Folder};Username={SuperuserName};Database={database};Pooling=true;Timeout=30";

    /// <summary>Creates a new, empty database and returns its connection string.</summary>
    public string CreateDatabase(string prefix = "test")
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases).ToString(CultureInfo.InvariantCulture)}";
        Run(Path.Combine(BinFolder, "createdb"), ["-h", Folder, "-U", SuperuserName, name], asServer: false);
        return ConnectionString(name);
    }

    /// <summary>
    /// Restarts the server (`pg_ctl restart`, fast mode: open connections are cut, committed data stays), as an
    /// operator's restart or a failover would look to the appliances; returns once it accepts connections again.
    /// </summary>
    public void Restart() =>
        Run(Path.Combine(BinFolder, "pg_ctl"), ["-D", DataFolder, "-l", LogFile, "-m", "fast", "-w", "-t", "60", "restart"], asServer: true);

    /// <summary>Stops the server immediately and removes every file it had.</summary>
    public void Dispose()
    {
        if (_started)
        {
            _started = false;
            try
            {
                Run(Path.Combine(BinFolder, "pg_ctl"), ["-D", DataFolder, "-m", "immediate", "-w", "stop"], asServer: true);
            }
            catch (InvalidOperationException)
            {
                // Still delete the folder; a server that will not stop has lost its data folder and exits on its own.
            }
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>The newest /usr/lib/postgresql/N/bin holding initdb and pg_ctl.</summary>
    public static string FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        var found = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => (Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1, Bin: Path.Combine(d, "bin")))
                .Where(d => d.Version >= 0 && File.Exists(Path.Combine(d.Bin, "initdb")) && File.Exists(Path.Combine(d.Bin, "pg_ctl")))
                .OrderByDescending(d => d.Version)
                .Select(d => d.Bin)
                .FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            "PostgreSQL tests need Debian's postgresql package (initdb and pg_ctl under /usr/lib/postgresql/*/bin): " +
            "apt-get install postgresql (.ci/run does this).");
    }

    private static string ServerUser()
    {
        // Debian's postgresql package creates the postgres user; nobody exists everywhere else.
        var passwd = File.Exists("/etc/passwd") ? File.ReadAllLines("/etc/passwd") : [];
        return passwd.Any(l => l.StartsWith("postgres:", StringComparison.Ordinal)) ? "postgres" : "nobody";
    }

    private void Run(string program, IReadOnlyList<string> arguments, bool asServer)
    {
        var start = new ProcessStartInfo
        {
            FileName = asServer && _runAs is not null ? "runuser" : program,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The server's cwd must be readable by the server user.
            WorkingDirectory = Folder,
        };
        if (asServer && _runAs is not null)
        {
            foreach (var a in (string[])["-u", _runAs, "--", program])
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{program} did not finish within {CommandTimeout.TotalSeconds} s");
        }

        if (process.ExitCode != 0)
        {
            var log = File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";
            throw new InvalidOperationException(
                $"{Path.GetFileName(program)} {string.Join(' ', arguments)} exited {process.ExitCode}: {stderr.Result}{stdout.Result}\n{log}");
        }
    }
}
