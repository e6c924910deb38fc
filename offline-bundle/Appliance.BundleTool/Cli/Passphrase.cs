using System.CommandLine;
using System.Text;

namespace Appliance.BundleTool.Cli;

/// <summary>
/// Where a key's passphrase comes from, in order: --passphrase-file (first line), the environment variable
/// APPLIANCE_BUNDLE_PASSPHRASE (for scripted signing stations), else an interactive prompt without echo.
/// </summary>
internal static class Passphrase
{
    public const string EnvironmentVariable = "APPLIANCE_BUNDLE_PASSPHRASE";

    public static Option<FileInfo?> CreateOption() =>
        new("--passphrase-file") { Description = $"Read the passphrase from the first line of this file (else ${EnvironmentVariable}, else a prompt)." };

    public static string Read(ParseResult parse, Option<FileInfo?> option, bool confirm)
    {
        if (parse.GetValue(option) is { } file)
        {
            var line = File.ReadLines(file.FullName).FirstOrDefault();
            return string.IsNullOrEmpty(line) ? throw new ToolException($"{file.FullName} holds no passphrase") : line;
        }

        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnv)
        {
            return fromEnv;
        }

        if (Console.IsInputRedirected)
        {
            throw new ToolException($"no passphrase: use --passphrase-file or set {EnvironmentVariable}");
        }

        var first = Prompt("Passphrase: ");
        if (confirm && Prompt("Repeat passphrase: ") != first)
        {
            throw new ToolException("the passphrases do not match");
        }

        return first.Length > 0 ? first : throw new ToolException("an empty passphrase is not allowed");
    }

    private static string Prompt(string label)
    {
        Console.Error.Write(label);
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.Error.WriteLine();
                return text.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }
    }
}
