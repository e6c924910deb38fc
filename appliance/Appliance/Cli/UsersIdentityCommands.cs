using System.CommandLine;
using System.Text;
using Appliance.Hosting.Identity;
using QRCoder;

namespace Appliance.Cli;

/// <summary>
/// `appliance users passwd|totp enroll|disable|enable NAME`: edits of one person in the identity file
/// (<see cref="IdentityFileEdit"/>). NAME is the login as the file and policies write it (alice@site).
/// </summary>
public static class UsersIdentityCommands
{
    public const int MinPasswordLength = 8;

    public static IEnumerable<Command> Create() =>
        [PasswdCommand(), TotpCommand(), FlagCommand("disable", true), FlagCommand("enable", false), UsersCertCommands.Create()];

    private static Argument<string> Login() => new("name") { Description = "The person's login in the identity file (alice@site)." };

    private static Command PasswdCommand()
    {
        var login = Login();
        var stdin = new Option<bool>("--stdin") { Description = "Read the password from the first line of standard input (scripts)." };
        var command = new Command("passwd", "Set a person's password in the identity file (Argon2id); prompts without echo.") { login, stdin };
        command.Options.Add(CliOutput.CreateOption());
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var name = parse.GetRequiredValue(login);
            var password = parse.GetValue(stdin) ? ReadStdin() : Prompt(name, error);
            if (password is null)
            {
                await error.WriteLineAsync("error: no password given (type it at the prompt, or pipe it with --stdin)").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            if (password.Length < MinPasswordLength || password.Length > PasswordHasher.MaxPasswordLength)
            {
                await error.WriteLineAsync($"error: a password has {MinPasswordLength} to {PasswordHasher.MaxPasswordLength} characters").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            var hash = PasswordHasher.Hash(password);
            return await IdentityFileEdit.RunAsync(parse, name, p => p with { PasswordHash = hash }, null, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static Command TotpCommand()
    {
        var login = Login();
        var issuer = new Option<string>("--issuer") { Description = "The name authenticator apps show.", DefaultValueFactory = _ => "Appliance" };
        var enroll = new Command("enroll", "Give a person a new TOTP secret; prints the otpauth:// URI and a QR code to scan.") { login, issuer };
        enroll.Options.Add(CliOutput.CreateOption());
        enroll.SetAction(async (parse, ct) =>
        {
            var secret = TotpSecret.NewSecret();
            var name = parse.GetRequiredValue(login);
            var uri = TotpSecret.OtpAuthUri(parse.GetRequiredValue(issuer), name, secret);
            var code = await IdentityFileEdit.RunAsync(parse, name, p => p with { TotpSecret = secret }, _ => uri, ct).ConfigureAwait(false);
            if (code == ExitCodes.Ok && CliOutput.FormatOf(parse) == OutputFormat.Table)
            {
                var output = parse.InvocationConfiguration.Output;
                await output.WriteLineAsync(uri).ConfigureAwait(false);
                await output.WriteLineAsync(QrCode(uri)).ConfigureAwait(false);
            }

            return code;
        });
        return new Command("totp", "Time-based one-time codes (RFC 6238) for the login page.") { enroll };
    }

    private static Command FlagCommand(string verb, bool disabled)
    {
        var login = Login();
        var command = new Command(verb, disabled
            ? "Disable a person in the identity file: their login stops (and, with identity.expire_nodes_on_removal, their nodes expire)."
            : "Enable a disabled person in the identity file.") { login };
        command.Options.Add(CliOutput.CreateOption());
        command.SetAction((parse, ct) => IdentityFileEdit.RunAsync(parse, parse.GetRequiredValue(login), p => p with { Disabled = disabled }, null, ct));
        return command;
    }

    /// <summary>A QR code of half-block characters (two modules a line), dark on a light terminal or inverted.</summary>
    public static string QrCode(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        using var ascii = new AsciiQRCode(data);
        return ascii.GetGraphicSmall(drawQuietZones: true, invert: false, endOfLine: "\n");
    }

    private static string? ReadStdin()
    {
        var line = Console.In.ReadLine();
        return string.IsNullOrEmpty(line) ? null : line;
    }

    private static string? Prompt(string login, TextWriter error)
    {
        if (Console.IsInputRedirected)
        {
            return null;
        }

        var first = ReadHidden($"New password for {login}: ", error);
        var second = ReadHidden("Again: ", error);
        if (first != second)
        {
            error.WriteLine("error: the two passwords differ");
            return null;
        }

        return first;
    }

    private static string ReadHidden(string prompt, TextWriter error)
    {
        error.Write(prompt);
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                error.WriteLine();
                return text.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                text.Length = Math.Max(0, text.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }
    }
}
