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
/// <c>appliance ca init|status|export|rotate|revoke</c>: the local CA (docs/operator-guide-ca.md). Every verb resolves
/// the data folder through <see cref="DataFolder"/> (--data-dir, else APPLIANCE_DATA_DIR, else ./data). Problems with
/// key files exit 78 (EX_CONFIG) with the reason and the fix; nothing is ever regenerated silently.
/// </summary>
public static class CaCommands
{
    public static Command Create()
    {
        var dataDir = new Option<string?>("--data-dir")
        {
            Description = "Data folder (default: $APPLIANCE_DATA_DIR, else ./data).",
            Recursive = true,
        };
        var command = new Command("ca", "Manage the appliance's local certificate authority.");
        command.Options.Add(dataDir);
        command.Subcommands.Add(Init(dataDir));
        command.Subcommands.Add(Status(dataDir));
        command.Subcommands.Add(Export(dataDir));
        command.Subcommands.Add(Rotate(dataDir));
        command.Subcommands.Add(Revoke(dataDir));
        return command;
    }

    private static Command Init(Option<string?> dataDir)
    {
        var offlineRoot = OfflineRootOption("Write the root key only to DIR (removable media); the appliance keeps a name-constrained intermediate.");
        var names = NamesOption();
        var addresses = AddressesOption();
        var command = new Command("init", "Create the root CA, the intermediate and the first leaf certificate.") { offlineRoot, names, addresses };
        command.SetAction(parse => Run(() =>
        {
            var options = CaOptions(parse.GetValue(names), parse.GetValue(addresses));
            using var ca = LocalCa.Initialise(DataDir(parse, dataDir), options, TimeProvider.System, parse.GetValue(offlineRoot));
            using var leaf = ca.IssueLeaf(options);
            Console.Out.WriteLine($"CA created in {ca.Directory.Folder} ({ModeText(ca.Mode)}).");
            if (ca.Mode == CaMode.OfflineRoot)
            {
                Console.Out.WriteLine($"Root key written to {CaDirectory.RootKeyIn(parse.GetValue(offlineRoot)!)} only: unmount and lock away the media.");
            }

            Console.Out.WriteLine($"Root SHA-256: {CertificatePins.DisplayFingerprint(ca.Root)}");
            Console.Out.WriteLine($"Leaf for {string.Join(", ", options.DnsNames.Concat(options.IpAddresses.Select(a => a.ToString())))}; DERP pin {leaf.Pin}");
            Console.Out.WriteLine("Next: 'appliance ca export --out appliance-root.pem' and trust it on every client.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Status(Option<string?> dataDir)
    {
        var command = new Command("status", "Show fingerprints (SHA-256) and expiry dates of the root, intermediate and current leaf.");
        command.SetAction(parse => Run(() =>
        {
            using var ca = LocalCa.Open(DataDir(parse, dataDir), TimeProvider.System);
            var status = ca.Status();
            Console.Out.WriteLine($"CA: {status.Folder} ({ModeText(status.Mode)})");
            foreach (var certificate in status.Certificates)
            {
                Console.Out.WriteLine($"{certificate.Role}: {certificate.Subject}");
                Console.Out.WriteLine($"  sha256:    {certificate.Sha256}");
                Console.Out.WriteLine($"  serial:    {certificate.SerialNumber}");
                Console.Out.WriteLine($"  valid:     {Date(certificate.NotBefore)} .. {Date(certificate.NotAfter)}");
            }

            Console.Out.WriteLine(status.DerpPin is null ? "Leaf: none yet (serve issues one)" : $"DERP CertName pin: {status.DerpPin}");
            var health = Appliance.Pki.Health.CertificateHealth.Evaluate(status.Certificates, TimeProvider.System.GetUtcNow());
            foreach (var finding in health.Findings)
            {
                Console.Out.WriteLine($"{finding.Status}: {finding.Message}");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>
    /// Extra roots from the applied update content (ca-trust.pem), exported after the CA's own. A file that does not
    /// validate is left out with a warning: the export of the appliance's own roots must still work.
    /// </summary>
    private static IReadOnlyList<X509Certificate2> ContentTrust(string dataDirectory)
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
            Console.Error.WriteLine($"warning: {exception.Message}; exporting without it");
            return [];
        }
    }

    private static Command Export(Option<string?> dataDir)
    {
        var output = new Option<string?>("--out") { Description = "Write to FILE instead of standard output." };
        var format = new Option<string>("--format")
        {
            Description = "pem: every root to trust (default); der: the current root alone; pin: the DERP CertName pin (sha256-raw:...) of the current leaf.",
            DefaultValueFactory = _ => "pem",
        };
        format.AcceptOnlyFromAmong("pem", "der", "pin");
        var command = new Command("export", "Export the root certificate (PEM or DER) and the DERP CertName pin.") { output, format };
        command.SetAction(parse => Run(() =>
        {
            using var ca = LocalCa.Open(DataDir(parse, dataDir), TimeProvider.System);
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
                    var roots = ca.TrustedRoots().Concat(ContentTrust(DataDir(parse, dataDir)))
                        .DistinctBy(root => root.Thumbprint, StringComparer.Ordinal).ToList();
                    bytes = TrustExport.Pem(roots);
                    foreach (var root in roots)
                    {
                        root.Dispose();
                    }

                    break;
            }

            var file = parse.GetValue(output);
            if (file is null)
            {
                using var stdout = Console.OpenStandardOutput();
                stdout.Write(bytes);
            }
            else
            {
                File.WriteAllBytes(file, bytes);
                Console.Out.WriteLine($"Wrote {file}");
            }

            if (parse.GetValue(format) != "pin" && pin is not null)
            {
                // Standard error, so `ca export > root.pem` stays a clean certificate file.
                Console.Error.WriteLine($"Root SHA-256: {CertificatePins.DisplayFingerprint(ca.Root)}");
                Console.Error.WriteLine($"DERP CertName pin of the current leaf (changes at every renewal): {pin}");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Rotate(Option<string?> dataDir)
    {
        var offlineRoot = OfflineRootOption("The mounted offline root media (required when the root key is offline).");
        var newRoot = new Option<bool>("--new-root") { Description = "Also replace the root; the old root stays trusted (cross-signed, in the export) for the overlap." };
        var overlap = new Option<int>("--overlap-days") { Description = "Days the old root stays in the trust bundle after --new-root (default 90).", DefaultValueFactory = _ => 90 };
        var names = NamesOption();
        var addresses = AddressesOption();
        var command = new Command("rotate", "Issue a new intermediate (and with --new-root a new root) and a new leaf.") { offlineRoot, newRoot, overlap, names, addresses };
        command.SetAction(parse => Run(() =>
        {
            using var ca = LocalCa.Open(DataDir(parse, dataDir), TimeProvider.System);
            var options = RotationOptions(ca, parse.GetValue(names), parse.GetValue(addresses), parse.GetValue(overlap));
            using var rotated = parse.GetValue(newRoot)
                ? ca.RotateRoot(options, parse.GetValue(offlineRoot))
                : ca.RotateIntermediate(options, parse.GetValue(offlineRoot));
            Console.Out.WriteLine($"New intermediate: {CertificatePins.Sha256Hex(rotated.Intermediate)}");
            if (parse.GetValue(newRoot))
            {
                Console.Out.WriteLine($"New root SHA-256: {CertificatePins.DisplayFingerprint(rotated.Root)}. Distribute the new export to every client within {options.RootOverlap.TotalDays:0} days.");
            }

            Console.Out.WriteLine("A running server picks up the new certificate within a minute, without restart.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Revoke(Option<string?> dataDir)
    {
        var serial = new Argument<string>("serial") { Description = "Serial number (hex) of the leaf, as 'appliance ca status' shows it." };
        var command = new Command("revoke", "Stop serving a leaf certificate; a new one is issued if it was the current leaf.") { serial };
        command.SetAction(parse => Run(() =>
        {
            using var ca = LocalCa.Open(DataDir(parse, dataDir), TimeProvider.System);
            var outcome = ca.Revoke(parse.GetValue(serial)!);
            Console.Out.WriteLine(outcome switch
            {
                RevokeOutcome.RevokedServingLeafAndReissued => "Revoked the current leaf and issued a new one; a running server switches within a minute.",
                RevokeOutcome.AlreadyRevoked => "Already revoked.",
                _ => "Recorded: that serial will never be served.",
            });
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Option<string?> OfflineRootOption(string description) => new("--offline-root") { Description = description, HelpName = "DIR" };

    private static Option<string[]> NamesOption() => new("--dns-name") { Description = "A DNS name of the appliance (repeatable). Default: localhost.", AllowMultipleArgumentsPerToken = false };

    private static Option<string[]> AddressesOption() => new("--ip-address") { Description = "An IP address of the appliance (repeatable). Default: 127.0.0.1 and ::1.", AllowMultipleArgumentsPerToken = false };

    private static string DataDir(ParseResult parse, Option<string?> dataDir) => DataFolder.Resolve(parse.GetValue(dataDir));

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

    private static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (CaException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
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
