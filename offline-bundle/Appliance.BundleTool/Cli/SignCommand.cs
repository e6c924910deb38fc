using System.CommandLine;
using Appliance.Updates.Bundles;

namespace Appliance.BundleTool.Cli;

/// <summary>
/// `sign BUNDLE --key NAME.key`: adds this signer's signature and keeps the others, so signers can each sign
/// on their own machine and pass the file on (two-person rule). Re-signing with the same key replaces its
/// signature instead of adding a second one.
/// </summary>
internal static class SignCommand
{
    public static Command Create()
    {
        var bundle = new Argument<FileInfo>("bundle") { Description = "The bundle to sign (rewritten in place)." };
        var keyFile = new Option<FileInfo>("--key") { Description = "The signer's private key file (NAME.key).", Required = true };
        var passphrase = Passphrase.CreateOption();
        var command = new Command("sign", "Add your signature to a bundle.") { bundle, keyFile, passphrase };
        command.SetAction(parse =>
        {
            var path = parse.GetRequiredValue(bundle);
            if (!path.Exists)
            {
                throw new ToolException($"{path.FullName} does not exist");
            }

            using var key = KeyFiles.OpenPrivate(parse, parse.GetRequiredValue(keyFile), passphrase);
            BundleManifest? manifest = null;
            try
            {
                using var input = path.OpenRead();
                KeyFiles.Replace(path.FullName + ".signing", output => manifest = BundleBuilder.AddSignature(input, output, key));
            }
            catch (BundleFormatException e)
            {
                File.Delete(path.FullName + ".signing");
                throw new ToolException($"{path.Name} cannot be signed: {e.Message}");
            }

            File.Move(path.FullName + ".signing", path.FullName, overwrite: true);
            parse.InvocationConfiguration.Output.WriteLine(
                $"signed {manifest!.Kind.ToString().ToLowerInvariant()} {manifest.Version} with key {key.Public.Id.Abbreviated}");
            return BundleToolCli.Ok;
        });
        return command;
    }
}
