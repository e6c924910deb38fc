using System.CommandLine;
using Appliance.Updates.Trust;

namespace Appliance.BundleTool.Cli;

/// <summary>
/// `root init` writes unsigned root metadata naming root keys, signing keys and both thresholds;
/// `root sign` adds one root key holder's signature. A rotation is `root init --version N+1` signed by the
/// threshold of the old root keys and of the new ones.
/// </summary>
internal static class RootCommands
{
    public static Command Create()
    {
        var root = new Command("root", "Make and sign root metadata (the trust anchor pinned on appliances).");
        root.Subcommands.Add(Init());
        root.Subcommands.Add(Sign());
        return root;
    }

    public static RootMetadata Load(FileInfo file)
    {
        if (!file.Exists)
        {
            throw new ToolException($"{file.FullName} does not exist");
        }

        return RootMetadata.TryParse(File.ReadAllBytes(file.FullName), out var root, out var error)
            ? root!
            : throw new ToolException($"{file.Name}: {error}");
    }

    private static Command Init()
    {
        var output = new Option<string>("--out") { Description = "The root metadata file to write.", Required = true };
        var version = new Option<int>("--version") { Description = "Root metadata version (1 at first, +1 per rotation).", DefaultValueFactory = _ => 1 };
        var rootKeys = new Option<FileInfo[]>("--root-key") { Description = "A root public key (NAME.pub); repeat.", Required = true, AllowMultipleArgumentsPerToken = false };
        var rootThreshold = new Option<int>("--root-threshold") { Description = "Root signatures required.", Required = true };
        var signingKeys = new Option<FileInfo[]>("--signing-key") { Description = "A bundle signing public key (NAME.pub); repeat.", Required = true };
        var signingThreshold = new Option<int>("--signing-threshold") { Description = "Bundle signatures required.", Required = true };
        var command = new Command("init", "Write unsigned root metadata.") { output, version, rootKeys, rootThreshold, signingKeys, signingThreshold };
        command.SetAction(parse =>
        {
            RootMetadata metadata;
            try
            {
                metadata = RootMetadata.Create(parse.GetValue(version),
                    parse.GetRequiredValue(rootKeys).Select(KeyFiles.OpenPublic), parse.GetValue(rootThreshold),
                    parse.GetRequiredValue(signingKeys).Select(KeyFiles.OpenPublic), parse.GetValue(signingThreshold));
            }
            catch (ArgumentException e)
            {
                throw new ToolException(e.Message);
            }

            KeyFiles.WriteNew(parse.GetRequiredValue(output), metadata.ToFileBytes(), secret: false);
            parse.InvocationConfiguration.Output.WriteLine(
                $"wrote root metadata version {metadata.Version}: root {metadata.Root.Threshold} of {metadata.Root.Keys.Count}, signing {metadata.Signing.Threshold} of {metadata.Signing.Keys.Count}; unsigned");
            return BundleToolCli.Ok;
        });
        return command;
    }

    private static Command Sign()
    {
        var file = new Argument<FileInfo>("root") { Description = "The root metadata file (rewritten in place)." };
        var keyFile = new Option<FileInfo>("--key") { Description = "A root private key file (NAME.key).", Required = true };
        var passphrase = Passphrase.CreateOption();
        var command = new Command("sign", "Add a root key's signature to root metadata.") { file, keyFile, passphrase };
        command.SetAction(parse =>
        {
            var path = parse.GetRequiredValue(file);
            var metadata = Load(path);
            using var key = KeyFiles.OpenPrivate(parse, parse.GetRequiredValue(keyFile), passphrase);
            var signed = metadata.WithSignature(key);
            KeyFiles.Replace(path.FullName, s => s.Write(signed.ToFileBytes()));
            var self = signed.CountSignatures(signed.Root);
            parse.InvocationConfiguration.Output.WriteLine(
                $"signed root metadata version {signed.Version} with key {key.Public.Id.Abbreviated}; {self.Valid} of {self.Threshold} own root signatures");
            return BundleToolCli.Ok;
        });
        return command;
    }
}
