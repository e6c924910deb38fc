using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;
using Appliance.Hosting.Identity;
using Appliance.Pki;
using Appliance.Pki.Authority;
using Appliance.Pki.Export;

namespace Appliance.Cli;

/// <summary>What `appliance users cert issue|revoke` print.</summary>
public sealed record ClientCertificateDto(
    string Login,
    IReadOnlyList<string> Serials,
    string? Subject = null,
    string? Sha256 = null,
    DateTimeOffset? NotAfter = null,
    string? File = null,
    string? ImportPassword = null,
    string? IdentityField = null);

// camelCase and indented, as every verb's -o json (docs/cli.md, "Output contract").
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(ClientCertificateDto))]
public sealed partial class UsersCertJsonContext : JsonSerializerContext;

/// <summary>
/// `appliance users cert issue NAME --out FILE` and `appliance users cert revoke NAME`: client certificates from the
/// local CA for the login page's certificate login (docs/identity.md). Issue needs the person in the identity file;
/// when their <c>client_certificate</c> field is empty it is set to the certificate's subject (a surgical edit, so
/// comments stay). <c>FILE.p12</c> (or .pfx) is PKCS#12 (AES-256, a random import password printed once) with the
/// intermediate; <c>FILE.pem</c> is the certificate, the intermediate and the unencrypted key. Both are 0600.
/// </summary>
public static class UsersCertCommands
{
    public static Command Create()
    {
        var command = new Command("cert", "Client certificates from the local CA for the login page (identity.certificate_login).");
        command.Subcommands.Add(Issue());
        command.Subcommands.Add(Revoke());
        return command;
    }

    private static Command Issue()
    {
        var login = new Argument<string>("name") { Description = "The person's login in the identity file (alice@site)." };
        var output = new Option<string>("--out") { Description = "FILE.p12 (PKCS#12 for a browser) or FILE.pem.", Required = true };
        var days = new Option<int>("--days") { Description = "Days the certificate is valid (default 365, at most 825).", DefaultValueFactory = _ => 365 };
        var command = new Command("issue", "Issue a client certificate for a person and write it for their browser.") { login, output, days };
        command.Options.Add(CliOutput.CreateOption());
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var context = CliContext.From(parse);
            if (!context.Config.IsValid)
            {
                return CliConfig.ReportProblems(context.Config, error);
            }

            var name = parse.GetRequiredValue(login);
            var file = Path.GetFullPath(parse.GetRequiredValue(output));
            var pem = file.EndsWith(".pem", StringComparison.OrdinalIgnoreCase);
            if (!pem && !file.EndsWith(".p12", StringComparison.OrdinalIgnoreCase) && !file.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase))
            {
                await error.WriteLineAsync("error: --out must end in .p12, .pfx or .pem").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var identityPath = Path.GetFullPath(context.Config.Options.Identity.File);
            Person person;
            try
            {
                person = IdentityFileParser.Parse(File.ReadAllText(identityPath)).Find(name)
                    ?? throw new KeyNotFoundException($"no person '{name}' in {identityPath}: add them to the file first (see docs/identity.md)");
            }
            catch (Exception e) when (e is IdentityFileException or KeyNotFoundException or IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"error: {(e is IdentityFileException ? identityPath + ":" : "")}{e.Message}; nothing was issued").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            try
            {
                using var ca = LocalCa.Open(context.DataDirectory, TimeProvider.System);
                using var certificate = ca.IssueClientCertificate(name, TimeSpan.FromDays(parse.GetValue(days)));
                string? password = null;
                if (pem)
                {
                    using var key = certificate.GetECDsaPrivateKey()!;
                    Write(file, certificate.ExportCertificatePem() + "\n" + ca.Intermediate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n");
                }
                else
                {
                    password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
                    using var intermediate = X509CertificateLoader.LoadCertificate(ca.Intermediate.RawData);
                    var bundle = new X509Certificate2Collection { certificate, intermediate };
                    Write(file, bundle.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, password));
                }

                var field = person.ClientCertificate;
                if (field is null)
                {
                    field = certificate.Subject;
                    IdentityFileWriter.Edit(identityPath, name, p => p with { ClientCertificate = field });
                }

                if (!ClientCertificateField.Matches(field, certificate))
                {
                    await error.WriteLineAsync($"warning: {name}'s client_certificate in {identityPath} is \"{field}\", which this certificate does not match; edit it (e.g. to \"{certificate.Subject}\") for the certificate to log in").ConfigureAwait(false);
                }

                CliAudit.Record(context, "ca.client-issue", $"{name}: serial {certificate.SerialNumber.ToLowerInvariant()} to {file}", "ok");
                var dto = new ClientCertificateDto(name, [certificate.SerialNumber.ToLowerInvariant()], certificate.Subject,
                    CertificatePins.DisplayFingerprint(certificate), new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero), file, password, field);
                CliOutput.Write(parse.InvocationConfiguration.Output, CliOutput.FormatOf(parse), dto, UsersCertJsonContext.Default.ClientCertificateDto, o =>
                {
                    o.WriteLine($"Issued {dto.Subject} (serial {dto.Serials[0]}, valid until {dto.NotAfter:yyyy-MM-dd}) to {file}");
                    o.WriteLine($"SHA-256: {dto.Sha256}");
                    if (password is not null)
                    {
                        o.WriteLine($"Import password (shown once): {password}");
                    }

                    o.WriteLine($"Identity file: {name} logs in with certificates matching \"{field}\" (identity.certificate_login must be on).");
                });
                return ExitCodes.Ok;
            }
            catch (CaException e)
            {
                CliAudit.Record(context, "ca.client-issue", name, $"failed ({e.Kind}): {e.Message}");
                await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return e.Kind == CaErrorKind.InvalidRequest ? ExitCodes.Usage : ExitCodes.Config;
            }
            catch (Exception e) when (e is IdentityFileException or IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    private static Command Revoke()
    {
        var login = new Argument<string>("name") { Description = "The person whose certificates to revoke (alice@site)." };
        var command = new Command("revoke", "Revoke every client certificate issued to a person; the login page refuses them at once.") { login };
        command.Options.Add(CliOutput.CreateOption());
        command.SetAction(async (parse, ct) =>
        {
            var name = parse.GetRequiredValue(login);
            try
            {
                using var ca = LocalCa.Open(CliContext.From(parse).DataDirectory, TimeProvider.System);
                var serials = ca.RevokeClient(name);
                CliAudit.Record(CliContext.From(parse), "ca.client-revoke", name,
                    serials.Count == 0 ? "ok: nothing to revoke" : "ok: serial " + string.Join(", ", serials));
                var dto = new ClientCertificateDto(name, serials);
                CliOutput.Write(parse.InvocationConfiguration.Output, CliOutput.FormatOf(parse), dto, UsersCertJsonContext.Default.ClientCertificateDto, o =>
                    o.WriteLine(serials.Count == 0
                        ? $"{name} has no unexpired, unrevoked client certificate."
                        : $"Revoked {serials.Count} certificate(s) of {name}: {string.Join(", ", serials)}"));
                return ExitCodes.Ok;
            }
            catch (CaException e)
            {
                CliAudit.Record(CliContext.From(parse), "ca.client-revoke", name, $"failed ({e.Kind}): {e.Message}");
                await parse.InvocationConfiguration.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return ExitCodes.Config;
            }
        });
        return command;
    }

    private static void Write(string path, string text) => Write(path, System.Text.Encoding.ASCII.GetBytes(text));

    private static void Write(string path, byte[] bytes)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }
}
