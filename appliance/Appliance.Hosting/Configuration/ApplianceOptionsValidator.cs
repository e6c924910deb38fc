using System.Net;
using System.Net.Sockets;
using Appliance.Hosting.Tls;

namespace Appliance.Hosting.Configuration;

/// <summary>
/// Checks every key against its documented range and the keys against each other. It collects all problems
/// (never stops at the first), each naming its key and saying how to fix it.
/// </summary>
public static partial class ApplianceOptionsValidator
{
    public static IReadOnlyList<ConfigProblem> Validate(ApplianceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<ConfigProblem>();
        ValidateServer(options, problems);
        ValidateLog(options.Log, problems);
        ValidatePrefixes(options.Prefixes, problems);
        ValidateNodes(options.Nodes, problems);
        ValidateDns(options, problems);
        ValidateDerp(options.Derp, problems);
        ValidateTls(options.Tls, problems);
        ValidatePolicy(options.Policy, problems);
        ValidateIdentity(options.Identity, problems);
        ValidateUpdates(options.Updates, problems);
        ValidateMetrics(options, problems);
        ValidateBackup(options.Backup, problems);
        ValidateDatabase(options.Database, problems);
        CheckRange("audit.max_file_kib", options.Audit.MaxFileKib, 1, 1024 * 1024, problems);
        return problems;
    }

    private static void ValidateServer(ApplianceOptions options, List<ConfigProblem> problems)
    {
        var server = options.Server;
        var http = CheckListen("server.listen", server.Listen, problems);
        if (options.Tls.Mode != TlsMode.Off)
        {
            var https = CheckListen("server.https_listen", server.HttpsListen, problems);
            if (http is not null && https is not null && http.Port != 0 && http.Equals(https))
            {
                problems.Add(new("server.https_listen", $"is the same address as server.listen ({server.Listen}); use another port, e.g. 8443"));
            }
        }

        if (!Uri.TryCreate(server.ServerUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            problems.Add(new("server.server_url", $"'{server.ServerUrl}' is not an absolute http:// or https:// URL; write the address clients use, e.g. http://10.0.0.5:8080"));
        }
        else if (url.AbsolutePath != "/" || url.Query.Length > 0 || url.Fragment.Length > 0)
        {
            problems.Add(new("server.server_url", $"'{server.ServerUrl}' must not have a path, query or fragment; write scheme://host[:port] only"));
        }

        if (server.DataDir.Contains('\0', StringComparison.Ordinal))
        {
            problems.Add(new("server.data_dir", "contains a NUL character; write a plain folder path"));
        }
        else if (string.IsNullOrWhiteSpace(server.DataDir))
        {
            problems.Add(new("server.data_dir", "must not be empty; write a folder path such as /var/lib/appliance"));
        }
        else
        {
            var socket = AppliancePaths.From(options).AdminSocket;
            if (System.Text.Encoding.UTF8.GetByteCount(socket) > AppliancePaths.MaxUnixSocketPath)
            {
                problems.Add(new("server.data_dir", $"is too long: the admin socket path '{socket}' exceeds the {AppliancePaths.MaxUnixSocketPath}-byte Unix socket limit; use a shorter path"));
            }
        }

        CheckRange("server.shutdown_timeout", server.ShutdownTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10), problems);
    }

    private static void ValidateLog(LogOptions log, List<ConfigProblem> problems)
    {
        CheckRange("log.retained_files", log.RetainedFiles, 1, 3650, problems);
        CheckRange("log.file_size_limit_mb", log.FileSizeLimitMb, 1, 10240, problems);
        CheckDefined("log.level", log.Level, problems);
        CheckDefined("log.console_format", log.ConsoleFormat, problems);
    }

    private static void ValidatePrefixes(PrefixesOptions prefixes, List<ConfigProblem> problems)
    {
        CheckPrefix("prefixes.v4", prefixes.V4, IPNetwork.Parse("100.64.0.0/10"), 30, problems);
        CheckPrefix("prefixes.v6", prefixes.V6, IPNetwork.Parse("fd7a:115c:a1e0::/48"), 120, problems);
        CheckDefined("prefixes.allocation", prefixes.Allocation, problems);
    }

    private static void ValidateNodes(NodesOptions nodes, List<ConfigProblem> problems)
    {
        if (nodes.KeyExpiry != TimeSpan.Zero)
        {
            CheckRange("nodes.key_expiry", nodes.KeyExpiry, TimeSpan.FromHours(1), TimeSpan.FromDays(3650), problems, "or 0 for never");
        }

        CheckRange("nodes.ephemeral_inactivity_timeout", nodes.EphemeralInactivityTimeout, TimeSpan.FromMinutes(1), TimeSpan.FromDays(30), problems);
        CheckRange("nodes.change_coalesce", nodes.ChangeCoalesce, TimeSpan.Zero, TimeSpan.FromSeconds(10), problems);
    }

    private static void ValidateTls(TlsOptions tls, List<ConfigProblem> problems)
    {
        CheckDefined("tls.mode", tls.Mode, problems);
        if (tls.Mode == TlsMode.Files)
        {
            CheckExistingFile("tls.cert_file", tls.CertFile, "tls.mode is files", problems);
            CheckExistingFile("tls.key_file", tls.KeyFile, "tls.mode is files", problems);
        }

        for (var i = 0; i < tls.DnsNames.Count; i++)
        {
            CheckDnsName($"tls.dns_names[{i}]", tls.DnsNames[i], problems);
        }

        for (var i = 0; i < tls.IpAddresses.Count; i++)
        {
            CheckIp($"tls.ip_addresses[{i}]", tls.IpAddresses[i], null, problems);
        }

        CheckRange("tls.leaf_lifetime", tls.LeafLifetime, TimeSpan.FromHours(1), TimeSpan.FromDays(397), problems);
        if (!(tls.RenewAt >= 0.1 && tls.RenewAt <= 0.9))
        {
            problems.Add(new("tls.renew_at", $"{tls.RenewAt} is outside 0.1..0.9; it is the fraction of the lifetime after which a leaf is renewed, e.g. 0.66"));
        }

        CheckDefined("tls.chain", tls.Chain, problems);
    }

    private static void ValidatePolicy(PolicyOptions policy, List<ConfigProblem> problems)
    {
        if (policy.File.Length > 0 && !File.Exists(policy.File))
        {
            problems.Add(new("policy.file", $"'{policy.File}' does not exist; create it or leave policy.file empty to keep the policy in the database"));
        }
    }

    private static void ValidateUpdates(UpdatesOptions updates, List<ConfigProblem> problems)
    {
        CheckRange("updates.health_timeout", updates.HealthTimeout, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1), problems);
        CheckRange("updates.keep_versions", updates.KeepVersions, 2, 100, problems);
    }

    private static void ValidateMetrics(ApplianceOptions options, List<ConfigProblem> problems)
    {
        if (!options.Metrics.Enabled)
        {
            return;
        }

        var metrics = CheckListen("metrics.listen", options.Metrics.Listen, problems);
        if (metrics is not null && metrics.Port != 0 && ListenAddress.TryParse(options.Server.Listen, out var http) && metrics.Equals(http))
        {
            problems.Add(new("metrics.listen", $"is the same address as server.listen ({options.Server.Listen}); /metrics needs a listener of its own, e.g. 127.0.0.1:9464"));
        }
    }

    private static void ValidateBackup(BackupOptions backup, List<ConfigProblem> problems)
    {
        if (backup.Interval != TimeSpan.Zero)
        {
            CheckRange("backup.interval", backup.Interval, TimeSpan.FromMinutes(1), TimeSpan.FromDays(366), problems, "or 0 for no schedule");
        }

        if (backup.EncryptTo.Length > 0 && !Backup.Encryption.AgeRecipient.TryParse(backup.EncryptTo, out _))
        {
            problems.Add(new ConfigProblem("backup.encrypt_to", $"'{backup.EncryptTo}' is not an age recipient: expected age1… as age-keygen or 'appliance backup keygen' prints it"));
        }

        if (backup.VerifyInterval != TimeSpan.Zero)
        {
            CheckRange("backup.verify_interval", backup.VerifyInterval, TimeSpan.FromMinutes(1), TimeSpan.FromDays(366), problems, "or 0 for no restore drill");
        }

        CheckRange("backup.keep", backup.Keep, 1, 1000, problems);
    }

    private static void ValidateDatabase(DatabaseOptions database, List<ConfigProblem> problems)
    {
        if (database.Type != DatabaseType.Postgres)
        {
            return;
        }

        if (database.Connection.Length == 0 && database.Host.Length == 0)
        {
            problems.Add(new("database.connection", "database.type is postgres but neither database.connection nor database.host says where the server is"));
        }

        CheckRange("database.port", database.Port, 0, 65535, problems);
        if (database.PasswordFile.Length > 0 && !File.Exists(database.PasswordFile))
        {
            problems.Add(new("database.password_file", $"'{database.PasswordFile}' does not exist"));
        }
    }

    private static IPEndPoint? CheckListen(string key, string value, List<ConfigProblem> problems)
    {
        if (ListenAddress.TryParse(value, out var endPoint))
        {
            return endPoint;
        }

        problems.Add(new(key, $"'{value}' is not an IP:PORT address; write e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080"));
        return null;
    }

    private static void CheckPrefix(string key, string value, IPNetwork within, int longest, List<ConfigProblem> problems)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (!IPNetwork.TryParse(value, out var network)
            || slash < 0
            || !IPAddress.TryParse(value.AsSpan(0, slash), out var written)
            || !written.Equals(network.BaseAddress))
        {
            problems.Add(new(key, $"'{value}' is not a CIDR prefix with its host bits zero; write e.g. {within}"));
            return;
        }

        if (network.BaseAddress.AddressFamily != within.BaseAddress.AddressFamily
            || network.PrefixLength < within.PrefixLength || network.PrefixLength > longest || !within.Contains(network.BaseAddress))
        {
            problems.Add(new(key, $"'{value}' must lie inside {within} with a prefix length of {within.PrefixLength}..{longest} (Tailscale clients route only that range)"));
        }
    }

    private static void CheckRange(string key, TimeSpan value, TimeSpan min, TimeSpan max, List<ConfigProblem> problems, string extra = "")
    {
        if (value < min || value > max)
        {
            problems.Add(new(key, $"{Duration.Format(value)} is outside {Duration.Format(min)}..{Duration.Format(max)}{(extra.Length > 0 ? " " + extra : "")}"));
        }
    }

    private static void CheckRange(string key, int value, int min, int max, List<ConfigProblem> problems)
    {
        if (value < min || value > max)
        {
            problems.Add(new(key, $"{value} is outside {min}..{max}"));
        }
    }

    private static void CheckDefined<TEnum>(string key, TEnum value, List<ConfigProblem> problems)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            problems.Add(new(key, $"'{value}' is not one of: {string.Join(", ", ConfigValueParser.AllowedValues(typeof(TEnum)))}"));
        }
    }

    private static void CheckExistingFile(string key, string path, string why, List<ConfigProblem> problems)
    {
        if (path.Length == 0)
        {
            problems.Add(new(key, $"is required when {why}; give the path of a PEM file"));
        }
        else if (!File.Exists(path))
        {
            problems.Add(new(key, $"'{path}' does not exist"));
        }
    }

    private static void CheckIp(string key, string value, AddressFamily? family, List<ConfigProblem> problems)
    {
        if (!IPAddress.TryParse(value, out var address) || (family is { } f && address.AddressFamily != f))
        {
            var kind = family switch
            {
                AddressFamily.InterNetwork => "an IPv4 address",
                AddressFamily.InterNetworkV6 => "an IPv6 address",
                _ => "an IP address",
            };
            problems.Add(new(key, $"'{value}' is not {kind}"));
        }
    }

    private static void CheckDnsName(string key, string value, List<ConfigProblem> problems)
    {
        if (!IsDnsName(value))
        {
            problems.Add(new(key, $"'{value}' is not a DNS name; use letters, digits and hyphens in dot-separated labels of at most 63 characters"));
        }
    }

    internal static bool IsDnsName(string value)
    {
        var name = value.EndsWith('.') ? value[..^1] : value;
        if (name.Length is 0 or > 253)
        {
            return false;
        }

        foreach (var label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-'
                || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }
}
