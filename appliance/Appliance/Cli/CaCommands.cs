using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Appliance.Hosting.Content;
using Appliance.Hosting.Tls;
using Appliance.Pki;
using Appliance.Pki.Authority;
using Appliance.Pki.Certificates;
using Appliance.Pki.Export;
using Appliance.Pki.Files;

namespace Appliance.Cli;

/// <summary>
/// <c>appliance ca init|status|export|rotate|revoke</c>: the local CA (docs/operator-guide-ca.md). Every verb finds the
/// data folder as the other verbs do (<see cref="CliContext"/>: --data-dir, else APPLIANCE_DATA_DIR, else
/// server.data_dir from -c/--config, else ./data). Problems with key files exit 78 (EX_CONFIG) with the reason and the fix;
/// nothing is ever regenerated silently. Fingerprints print as `openssl x509 -fingerprint -sha256` does (AB:CD:...).
/// </summary>
public static class CaCommands
{
    public static Command Create()
    {
        var command = new Command("ca", "Manage the appliance's local certificate authority.");
        command.Subcommands.Add(Init());
        command.Subcommands.Add(Status());
        command.Subcommands.Add(Export());
        command.Subcommands.Add(Rotate());
        command.Subcommands.Add(Revoke());
        return command;
    }

    private static Command Init()
    {
        var offlineRoot = OfflineRootOption("Write the root key only to DIR (removable media); the appliance keeps a name-constrained intermediate.");
        var names = NamesOption();
        var addresses = AddressesOption();
        var command = new Command("init", "Create the root CA, the intermediate and the first leaf certificate.") { offlineRoot, names, addresses }.WithOutputOption();
        command.SetAction(parse => Run(parse, "ca.init", parse.GetValue(offlineRoot) is { } media ? "root key offline in " + media : "root key on this appliance", () =>
        {
            var options = CaOptions(parse.GetValue(names), parse.GetValue(addresses));
            using var ca = LocalCa.Initialise(DataDir(parse), options, TimeProvider.System, parse.GetValue(offlineRoot));
            using var leaf = ca.IssueLeaf(options);
            var root = CertificatePins.DisplayFingerprint(ca.Root);
            var message = $"CA created in {ca.Directory.Folder} ({ModeText(ca.Mode)}).";
            Print(parse, new CaChangeDto("created", root, leaf.SerialNumber.ToLowerInvariant(), message), o =>
            {
                o.WriteLine(message);
                if (ca.Mode == CaMode.OfflineRoot)
                {
                    o.WriteLine($"Root key written to {CaDirectory.RootKeyIn(parse.GetValue(offlineRoot)!)} only: unmount and lock away the media.");
                }

                o.WriteLine($"Root SHA-256: {root}");
                o.WriteLine($"Leaf for {string.Join(", ", options.DnsNames.Concat(options.IpAddresses.Select(a => a.ToString())))}; DERP pin {leaf.Pin}");
                o.WriteLine("Next: 'appliance ca export --out appliance-root.pem' and trust it on every client.");
            });
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Status()
    {
        var command = new Command("status", "Show fingerprints (SHA-256, AB:CD:... as openssl prints them), serials and expiry dates of the root, intermediate and current leaf.").WithOutputOption();
        command.SetAction(parse => Run(parse, () =>
        {
            using var ca = LocalCa.Open(DataDir(parse), TimeProvider.System);
            var status = ca.Status();
            var health = Appliance.Pki.Health.CertificateHealth.Evaluate(status.Certificates, TimeProvider.System.GetUtcNow());
            var dto = new CaStatusDto(
                status.Folder,
                ModeText(status.Mode),
                [.. status.Certificates.Select(c => new CaCertificateDto(c.Role.ToString(), c.Subject, c.SerialNumber, Fingerprint(c.Sha256), c.NotBefore, c.NotAfter))],
                status.DerpPin,
                [.. health.Findings.Select(f => $"{f.Status}: {f.Message}")]);
            Print(parse, dto, o =>
            {
                o.WriteLine($"CA: {dto.Folder} ({dto.Mode})");
                foreach (var certificate in dto.Certificates)
                {
                    o.WriteLine($"{certificate.Role}: {certificate.Subject}");
                    o.WriteLine($"  sha256:    {certificate.Sha256}");
                    o.WriteLine($"  serial:    {certificate.Serial}");
                    o.WriteLine($"  valid:     {Date(certificate.NotBefore)} .. {Date(certificate.NotAfter)}");
                }

                o.WriteLine(dto.DerpPin is null ? "Leaf: none yet (serve issues one)" : $"DERP CertName pin: {dto.DerpPin}");
                foreach (var finding in dto.Findings)
                {
                    o.WriteLine(finding);
                }
            });
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>
    /// Extra roots from the applied update content (ca-trust.pem), exported after the CA's own. A file that does not
    /// validate is left out with a warning: the export of the appliance's own roots must still work.
    /// </summary>
    private static IReadOnlyList<X509Certificate2> ContentTrust(string dataDirectory, TextWriter error)
    {
        var path = UpdateContentFiles.ForDataDir(dataDirectory).CaTrust;
        if (!File.Exists(path))
        {
            return [];
        }

        try
        {
            return CaTrustFile.Load(path, DateTimeOffset.UtcNow);
        }
        catch (InvalidDataException exception)
        {
            error.WriteLine($"warning: {exception.Message}; exporting without it");
            return [];
        }
    }

    private static Command Export()
    {
        var output = new Option<string?>("--out") { Description = "Write to FILE instead of standard output." };
        var format = new Option<string>("--format")
        {
            Description = "pem: every root to trust (default); der: the current root alone; pin: the DERP CertName pin (sha256-raw:...) of the current leaf.",
            DefaultValueFactory = _ => "pem",
        };
        format.AcceptOnlyFromAmong("pem", "der", "pin");
        var command = new Command("export", "Export the root certificate (PEM or DER) and the DERP CertName pin.") { output, format };
        command.SetAction(parse => Run(parse, "ca.export", $"{parse.GetValue(format)} to {parse.GetValue(output) ?? "standard output"}", () =>
        {
            using var ca = LocalCa.Open(DataDir(parse), TimeProvider.System);
            using var leaf = ca.LoadLeaf(0.66);
            var pin = leaf?.Pin;
            byte[] bytes;
            switch (parse.GetValue(format))
            {
                case "der":
                    bytes = TrustExport.Der(ca.Root);
                    break;
                case "pin":
                    bytes = System.Text.Encoding.ASCII.GetBytes((pin ?? throw new CaException(CaErrorKind.MissingFile, "No leaf certificate yet: start 'appliance serve' or run 'appliance ca rotate'.")) + "\n");
                    break;
                default:
                    var roots = ca.TrustedRoots().Concat(ContentTrust(DataDir(parse), parse.InvocationConfiguration.Error))
                        .DistinctBy(root => root.Thumbprint, StringComparer.Ordinal).ToList();
                    bytes = TrustExport.Pem(roots);
                    foreach (var root in roots)
                    {
                        root.Dispose();
                    }

                    break;
            }

            var file = parse.GetValue(output);
            if (file is null && parse.GetValue(format) == "der")
            {
                using var stdout = Console.OpenStandardOutput();
                stdout.Write(bytes);
            }
            else if (file is null)
            {
                // PEM and the pin are text: through the invocation's writer, so they can be captured like any output.
                parse.InvocationConfiguration.Output.Write(System.Text.Encoding.ASCII.GetString(bytes));
            }
            else
            {
                File.WriteAllBytes(file, bytes);
                parse.InvocationConfiguration.Output.WriteLine($"Wrote {file}");
            }

            if (parse.GetValue(format) != "pin" && pin is not null)
            {
                // Standard error, so `ca export > root.pem` stays a clean certificate file.
                parse.InvocationConfiguration.Error.WriteLine($"Root SHA-256: {CertificatePins.DisplayFingerprint(ca.Root)}");
                parse.InvocationConfiguration.Error.WriteLine($"DERP CertName pin of the current leaf (changes at every renewal): {pin}");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Rotate()
    {
        var offlineRoot = OfflineRootOption("The mounted offline root media (required when the root key is offline).");
        var newRoot = new Option<bool>("--new-root") { Description = "Also replace the root; the old root stays trusted (cross-signed, in the export) for the overlap." };
        var overlap = new Option<int>("--overlap-days") { Description = "Days the old root stays in the trust bundle after --new-root (default 90).", DefaultValueFactory = _ => 90 };
        var names = NamesOption();
        var addresses = AddressesOption();
        var command = new Command("rotate", "Issue a new intermediate (and with --new-root a new root) and a new leaf.") { offlineRoot, newRoot, overlap, names, addresses }.WithOutputOption();
        command.SetAction(parse => Run(parse, "ca.rotate", parse.GetValue(newRoot) ? "root and intermediate" : "intermediate", () =>
        {
            using var ca = LocalCa.Open(DataDir(parse), TimeProvider.System);
            var options = RotationOptions(ca, parse.GetValue(names), parse.GetValue(addresses), parse.GetValue(overlap));
            using var rotated = parse.GetValue(newRoot)
                ? ca.RotateRoot(options, parse.GetValue(offlineRoot))
                : ca.RotateIntermediate(options, parse.GetValue(offlineRoot));
            var root = CertificatePins.DisplayFingerprint(rotated.Root);
            var message = "A running server picks up the new certificate within a minute, without restart.";
            Print(parse, new CaChangeDto(parse.GetValue(newRoot) ? "rotated-root" : "rotated-intermediate", root, rotated.Intermediate.SerialNumber.ToLowerInvariant(), message), o =>
            {
                o.WriteLine($"New intermediate SHA-256: {CertificatePins.DisplayFingerprint(rotated.Intermediate)}");
                if (parse.GetValue(newRoot))
                {
                    o.WriteLine($"New root SHA-256: {root}. Distribute the new export to every client within {options.RootOverlap.TotalDays:0} days.");
                }

                o.WriteLine(message);
            });
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Revoke()
    {
        var serial = new Argument<string>("serial") { Description = "The whole serial number (32 hex digits) of the leaf, as 'appliance ca status' shows it; a partial serial is refused." };
        var command = new Command("revoke", "Stop serving a leaf certificate (asks first unless --force); a new one is issued if it was the current leaf.") { serial }
            .WithForceOption()
            .WithOutputOption();
        command.SetAction(parse => Run(parse, "ca.revoke", "serial " + parse.GetRequiredValue(serial), () =>
        {
            using var ca = LocalCa.Open(DataDir(parse), TimeProvider.System);
            var text = parse.GetRequiredValue(serial);
            if (Confirmation.AskAsync(parse, $"revoke certificate serial {text}", parse.InvocationConfiguration.Error).GetAwaiter().GetResult() is { } refused)
            {
                return refused;
            }

            var outcome = ca.Revoke(text);
            var message = outcome switch
            {
                RevokeOutcome.RevokedServingLeafAndReissued => "Revoked the current leaf and issued a new one; a running server switches within a minute.",
                RevokeOutcome.AlreadyRevoked => "Already revoked.",
                _ => "Recorded: that serial will never be served.",
            };
            Print(parse, new CaChangeDto(outcome.ToString(), null, text.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant(), message), o => o.WriteLine(message));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Option<string?> OfflineRootOption(string description) => new("--offline-root") { Description = description, HelpName = "DIR" };

    private static Option<string[]> NamesOption() => new("--dns-name") { Description = "A DNS name of the appliance (repeatable). Default: localhost.", AllowMultipleArgumentsPerToken = false };

    private static Option<string[]> AddressesOption() => new("--ip-address") { Description = "An IP address of the appliance (repeatable). Default: 127.0.0.1 and ::1.", AllowMultipleArgumentsPerToken = false };

    private static string DataDir(ParseResult parse) => CliContext.From(parse).DataDirectory;

    /// <summary>Lower-case hex as the Pki library stores it → AB:CD:..., the form `openssl x509 -fingerprint -sha256` prints.</summary>
    public static string Fingerprint(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        return string.Join(':', hex.ToUpperInvariant().Chunk(2).Select(c => new string(c)));
    }

    private static void Print<T>(ParseResult parse, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, Action<TextWriter> text) =>
        CliOutput.Write(parse.InvocationConfiguration.Output, CliOutput.FormatOf(parse), value, typeInfo, text);

    private static void Print(ParseResult parse, CaChangeDto value, Action<TextWriter> text) => Print(parse, value, CliJsonContext.Default.CaChangeDto, text);

    private static void Print(ParseResult parse, CaStatusDto value, Action<TextWriter> text) => Print(parse, value, CliJsonContext.Default.CaStatusDto, text);

    private static LocalCaOptions CaOptions(string[]? names, string[]? addresses)
    {
        var tls = new ApplianceTlsOptions { DnsNames = names ?? [], IpAddresses = ParseAddresses(addresses) };
        return tls.ToCaOptions();
    }

    private static LocalCaOptions RotationOptions(LocalCa ca, string[]? names, string[]? addresses, int overlapDays)
    {
        IReadOnlyList<string> dns = names ?? [];
        IReadOnlyList<IPAddress> ips = ParseAddresses(addresses);
        if (dns.Count == 0 && ips.Count == 0)
        {
            using var leaf = ca.LoadLeaf(0.66);
            (dns, ips) = leaf is not null
                ? LeafNames.Of(leaf.Leaf)
                : (ca.Constraints?.PermittedDnsNames ?? [], ca.Constraints?.PermittedAddresses.Select(a => a.Address).ToList() ?? []);
        }

        if (overlapDays is < 1 or > 3650)
        {
            throw new CaException(CaErrorKind.InvalidRequest, "--overlap-days must be between 1 and 3650.");
        }

        return new LocalCaOptions { DnsNames = dns, IpAddresses = ips, RootOverlap = TimeSpan.FromDays(overlapDays) };
    }

    private static IPAddress[] ParseAddresses(string[]? addresses) =>
        [.. (addresses ?? []).Select(text => IPAddress.TryParse(text, out var address)
            ? address
            : throw new CaException(CaErrorKind.InvalidRequest, $"--ip-address '{text}' is not an IP address."))];

    private static int Run(ParseResult parse, Func<int> action) => Run(parse, null, "", action);

    /// <summary>Runs a verb; with <paramref name="auditAction"/> its outcome (done, refused, failed) is an audit record (docs/ops/audit.md).</summary>
    private static int Run(ParseResult parse, string? auditAction, string auditTarget, Func<int> action)
    {
        try
        {
            var code = action();
            if (auditAction is not null)
            {
                CliAudit.Record(CliContext.From(parse), auditAction, auditTarget, code == ExitCodes.Ok ? "ok" : $"refused (exit {code})");
            }

            return code;
        }
        catch (CaException e)
        {
            if (auditAction is not null)
            {
                CliAudit.Record(CliContext.From(parse), auditAction, auditTarget, $"failed ({e.Kind}): {e.Message}");
            }

            parse.InvocationConfiguration.Error.WriteLine("error: " + e.Message);
            return e.Kind switch
            {
                CaErrorKind.InvalidRequest => ExitCodes.Usage,
                CaErrorKind.MissingFile or CaErrorKind.CorruptFile or CaErrorKind.InsecurePermissions => ExitCodes.Config,
                _ => ExitCodes.Failure,
            };
        }
    }

    private static string ModeText(CaMode mode) => mode == CaMode.Embedded ? "root key on this appliance" : "root key offline";

    private static string Date(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
