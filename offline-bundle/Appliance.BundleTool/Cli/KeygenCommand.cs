using System.CommandLine;
using Appliance.Updates.Signing;

namespace Appliance.BundleTool.Cli;

/// <summary>`keygen --out NAME`: NAME.key (encrypted private key, mode 0600) and NAME.pub (public key).</summary>
internal static class KeygenCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Base name: writes NAME.key and NAME.pub.", Required = true };
        var passphrase = Passphrase.CreateOption();
        var command = new Command("keygen", "Generate an Ed25519 key pair; the private key is encrypted with a passphrase.")
        {
            output,
            passphrase,
        };
        command.SetAction(parse =>
        {
            var name = parse.GetRequiredValue(output);
            var secret = Passphrase.Read(parse, passphrase, confirm: true);
            using var key = SigningKey.Generate();
            KeyFiles.WriteNew(name + ".key", EncryptedKeyFile.Encrypt(key, secret), secret: true);
            KeyFiles.WriteNew(name + ".pub", EncryptedKeyFile.PublicFile(key.Public), secret: false);
            parse.InvocationConfiguration.Output.WriteLine($"key {key.Public.Id}");
            parse.InvocationConfiguration.Output.WriteLine($"wrote {name}.key (keep offline) and {name}.pub");
            return BundleToolCli.Ok;
        });
        return command;
    }
}
