using System.CommandLine;
using Appliance.Updates.Trust;
using Appliance.Updates.Verification;

namespace Appliance.BundleTool.Cli;

/// <summary>`verify BUNDLE --root root.json`: the appliance's checks minus the running version.</summary>
internal static class VerifyCommand
{
    public static Command Create(TimeProvider time)
    {
        var bundle = new Argument<FileInfo>("bundle") { Description = "The bundle to check." };
        var rootFile = new Option<FileInfo>("--root") { Description = "Root metadata to check against (root.json).", Required = true };
        var command = new Command("verify", "Check a bundle's signatures, expiry, hashes and sizes against root metadata.") { bundle, rootFile };
        command.SetAction(parse =>
        {
            var root = RootCommands.Load(parse.GetRequiredValue(rootFile));
            using var input = parse.GetRequiredValue(bundle).OpenRead();
            var result = BundleVerifier.Verify(input, new VerificationPolicy(root, time.GetUtcNow()));
            if (!result.IsValid)
            {
                parse.InvocationConfiguration.Error.WriteLine($"refused ({result.Error}): {result.Reason}");
                return BundleToolCli.Failure;
            }

            var m = result.Manifest!;
            parse.InvocationConfiguration.Output.WriteLine(
                $"valid: {m.Kind.ToString().ToLowerInvariant()} {m.Version}, {result.Signatures!.Value.Valid} of {result.Signatures.Value.Threshold} required signatures, root version {root.Version}");
            return BundleToolCli.Ok;
        });
        return command;
    }
}
