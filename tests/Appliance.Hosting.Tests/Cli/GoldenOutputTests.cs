using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Appliance.Hosting.Tests.Admin;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>
/// The output contract, verb by verb and format by format, against files in Cli/Golden/. A change to a field name,
/// a column or the YAML shape fails here; when it is deliberate, regenerate with
/// `APPLIANCE_UPDATE_GOLDEN=1 dotnet test tests/Appliance.Hosting.Tests --filter GoldenOutputTests` and review the diff.
/// Times, keys, serials, fingerprints and temporary paths are replaced by placeholders before comparing.
/// </summary>
[Collection(StdinGroup.Name)] // `users passwd --stdin` reads Console.In, which only one test at a time may swap
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class GoldenOutputTests
{
    private static readonly string[] Formats = ["table", "json", "json-line", "yaml"];

    public static TheoryData<string> Verbs => new(Scenario.Verbs.Keys);

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task Each_verb_prints_the_same_in_every_format_as_its_golden_file(string verb)
    {
        var text = new StringBuilder();
        foreach (var format in Formats)
        {
            // A fresh tailnet per format: verbs that change something (delete, rename, expire) must act each time.
            using var folder = new AdminTestFolder();
            await Scenario.SetUpAsync(folder);
            var args = Scenario.Verbs[verb](folder).Concat(["-o", format]).ToArray();
            var result = Scenario.Stdin.TryGetValue(verb, out var input)
                ? await IdentityCliTests.WithStdin(input, () => CliRun.RunAsync(args))
                : await CliRun.RunAsync(args);
            text.Append("## -o ").Append(format).Append(" (exit ").Append(result.ExitCode).Append(")\n");
            text.Append(Normalise(verb, result.Out, folder));
            if (result.Error.Length > 0)
            {
                text.Append("## stderr\n").Append(Normalise(verb, result.Error, folder));
            }
        }

        var golden = Path.Combine(GoldenFolder(), verb + ".txt");
        var actual = text.ToString();
        if (Environment.GetEnvironmentVariable("APPLIANCE_UPDATE_GOLDEN") == "1")
        {
            await File.WriteAllTextAsync(golden, actual);
        }

        Assert.True(File.Exists(golden), $"no golden file {golden}: run with APPLIANCE_UPDATE_GOLDEN=1 to create it");
        Assert.Equal(await File.ReadAllTextAsync(golden), actual);
    }

    private static string Normalise(string verb, string text, AdminTestFolder folder)
    {
        text = text.Replace(folder.Path, "<TMP>", StringComparison.Ordinal);
        text = TempFolder().Replace(text, "<TMP>");
        text = CaName().Replace(text, "CA <DATE> <ID>");
        text = IsoTime().Replace(text, "<TIME>");
        text = TableTime().Replace(text, "<TIME>");
        text = UtcDate().Replace(text, "<TIME>");
        text = Fingerprint().Replace(text, "<SHA256>");
        text = Pin().Replace(text, "sha256-raw:<PIN>");
        if (verb.StartsWith("update-root", StringComparison.Ordinal) || verb == "audit-verify")
        {
            // Fresh update-signing keys and audit hashes (over record times) each run; other 64-hex values (node keys,
            // policy hashes) are stable.
            text = KeyId().Replace(text, "<KEYID>");
        }

        text = Serial().Replace(text, "<SERIAL>");
        text = Version().Replace(text, "<VERSION>");
        text = Stamp().Replace(text, "<STAMP>");
        text = BytesField().Replace(text, "${name}<BYTES>");
        text = BytesText().Replace(text, "(<BYTES> bytes)");
        text = BytesColumn().Replace(text, "${name}<BYTES>");
        text = OtpSecret().Replace(text, "secret=<SECRET>");
        text = AgeRecipient().Replace(text, "age1<RECIPIENT>");
        text = QrCode().Replace(text, "<QR CODE>\n");
        // `status`: the systemd state of the machine that runs the tests (no systemd, inactive, ...) is not the output's.
        text = ServiceState().Replace(text, "${name}<SERVICE>");
        return text.Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    private static string GoldenFolder([CallerFilePath] string source = "") => Path.Combine(Path.GetDirectoryName(source)!, "Golden");

    [GeneratedRegex(@"CA \d{4}-\d{2}-\d{2} [0-9a-f]{6}")]
    private static partial Regex CaName();

    [GeneratedRegex(@"/tmp/aht-[0-9a-f]{12}")]
    private static partial Regex TempFolder();

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")]
    private static partial Regex IsoTime();

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")]
    private static partial Regex TableTime();

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")]
    private static partial Regex UtcDate();

    [GeneratedRegex(@"([0-9A-F]{2}:){31}[0-9A-F]{2}")]
    private static partial Regex Fingerprint();

    [GeneratedRegex(@"sha256-raw:[0-9a-f]{64}")]
    private static partial Regex Pin();

    // Backup archive names and the restored data folder's "before-restore" name.
    [GeneratedRegex(@"\d{8}T\d{6,9}Z")]
    private static partial Regex Stamp();

    // Archive sizes vary by a few bytes (ECDSA signatures in the CA have variable length).
    [GeneratedRegex(@"(?<name>""bytes"":\s?|\bbytes: )\d+")]
    private static partial Regex BytesField();

    [GeneratedRegex(@"\([\d,]+ bytes\)")]
    private static partial Regex BytesText();

    [GeneratedRegex(@"(?<name><STAMP>\.tar +<TIME> +)\d+")]
    private static partial Regex BytesColumn();

    [GeneratedRegex(@"secret=[A-Z2-7]+")]
    private static partial Regex OtpSecret();

    // `users totp enroll`: the terminal QR code of a random secret.
    [GeneratedRegex(@"(^[█▀▄ ]+\n)+", RegexOptions.Multiline)]
    private static partial Regex QrCode();

    [GeneratedRegex(@"(?<name>^service +|""service"":\s?""|^service: )[^""\n]+", RegexOptions.Multiline)]
    private static partial Regex ServiceState();

    [GeneratedRegex(@"\b[0-9a-f]{64}\b")]
    private static partial Regex KeyId();

    // `backup keygen`: a fresh age key pair each run.
    [GeneratedRegex(@"\bage1[02-9ac-hj-np-z]{58}\b")]
    private static partial Regex AgeRecipient();

    [GeneratedRegex(@"\b[0-9a-f]{32}\b")]
    private static partial Regex Serial();

    [GeneratedRegex(@"0\.\d+\.\d+\+[0-9a-f]{40}|0\.\d+\.\d+(?=[""\s])")]
    private static partial Regex Version();
}
