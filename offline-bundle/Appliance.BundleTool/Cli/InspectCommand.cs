using System.CommandLine;
using System.Text;
using Appliance.Updates.Bundles;

namespace Appliance.BundleTool.Cli;

/// <summary>`inspect BUNDLE`: prints the manifest and who signed, without judging trust (use verify for that).</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var bundle = new Argument<FileInfo>("bundle") { Description = "The bundle to describe." };
        var command = new Command("inspect", "Show a bundle's manifest and signatures.") { bundle };
        command.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            using var input = parse.GetRequiredValue(bundle).OpenRead();
            try
            {
                var header = BundleReader.ReadHeader(input, BundleLimits.Default);
                if (!BundleManifest.TryParse(header.ManifestBytes, BundleLimits.Default, out var m, out var error))
                {
                    throw new ToolException("the manifest is not valid: " + error);
                }

                o.WriteLine($"kind:        {m!.Kind.ToString().ToLowerInvariant()}");
                o.WriteLine($"version:     {m.Version}");
                o.WriteLine($"min_version: {m.MinVersion}");
                o.WriteLine($"created:     {BundleManifest.FormatDate(m.Created)}");
                o.WriteLine($"expires:     {BundleManifest.FormatDate(m.Expires)}");
                foreach (var f in m.Files)
                {
                    o.WriteLine($"file:        {f.Name} ({f.Role}) {f.Size} bytes sha256 {f.Sha256}");
                }

                foreach (var s in header.Signatures)
                {
                    o.WriteLine($"signature:   key {s.KeyId}");
                }

                o.WriteLine($"manifest:    {Encoding.UTF8.GetString(header.ManifestBytes)}");
                return BundleToolCli.Ok;
            }
            catch (BundleFormatException e)
            {
                throw new ToolException($"not a valid bundle ({e.Error}): {e.Message}");
            }
        });
        return command;
    }
}
