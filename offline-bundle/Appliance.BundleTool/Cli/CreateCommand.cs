using System.CommandLine;
using System.Globalization;
using Appliance.Updates.Bundles;
using Appliance.Updates.Versioning;

namespace Appliance.BundleTool.Cli;

/// <summary>`create`: hash the payload, write the manifest and an unsigned bundle.</summary>
internal static class CreateCommand
{
    public static Command Create(TimeProvider time)
    {
        var output = new Option<string>("--out") { Description = "The bundle file to write (must not exist).", Required = true };
        var version = new Option<string>("--version") { Description = "Version of this bundle, MAJOR.MINOR.PATCH.", Required = true };
        var minVersion = new Option<string>("--min-version") { Description = "Oldest running version that may apply it.", DefaultValueFactory = _ => "0.0.0" };
        var kind = new Option<string?>("--kind") { Description = "release or content (default: release when a binary is given)." };
        kind.AcceptOnlyFromAmong("release", "content");
        var validDays = new Option<int>("--valid-days") { Description = "Days until the bundle expires (1..3650).", DefaultValueFactory = _ => 90 };
        var created = new Option<string?>("--created") { Description = "Creation time, yyyy-MM-ddTHH:mm:ssZ (default now)." };
        var roles = PayloadRole.NameOf.Keys.ToDictionary(
            r => r,
            r => new Option<FileInfo?>("--" + r) { Description = $"File for the {r} payload." },
            StringComparer.Ordinal);
        var command = new Command("create", "Create an unsigned bundle from the appliance binaries and/or content files.")
        {
            output, version, minVersion, kind, validDays, created,
        };
        foreach (var option in roles.Values)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            var files = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (role, option) in roles)
            {
                if (parse.GetValue(option) is { } file)
                {
                    files[role] = file.Exists ? file.FullName : throw new ToolException($"{file.FullName} does not exist");
                }
            }

            if (files.Count == 0)
            {
                throw new ToolException("give at least one payload file (--appliance-linux-x64, --policy, ...)");
            }

            var bundleKind = (parse.GetValue(kind) ?? (files.Keys.Any(PayloadRole.IsBinary) ? "release" : "content")) == "release"
                ? BundleKind.Release
                : BundleKind.Content;
            var v = ParseVersion(parse.GetRequiredValue(version), "--version");
            var min = ParseVersion(parse.GetRequiredValue(minVersion), "--min-version");
            var days = parse.GetValue(validDays);
            if (days is < 1 or > 3650)
            {
                throw new ToolException("--valid-days must be between 1 and 3650");
            }

            var createdAt = parse.GetValue(created) is { } text
                ? DateTimeOffset.TryParseExact(text, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                    ? at
                    : throw new ToolException("--created must look like 2026-11-25T12:00:00Z")
                : time.GetUtcNow();
            createdAt = new DateTimeOffset(createdAt.Ticks - (createdAt.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

            var path = parse.GetRequiredValue(output);
            if (File.Exists(path))
            {
                throw new ToolException($"{path} already exists; refusing to overwrite it");
            }

            BundleManifest? manifest = null;
            try
            {
                KeyFiles.Replace(path, stream => manifest = BundleBuilder.Create(stream, bundleKind, v, min, createdAt, createdAt.AddDays(days), files));
            }
            catch (ArgumentException e)
            {
                throw new ToolException(e.Message);
            }

            var o = parse.InvocationConfiguration.Output;
            o.WriteLine($"wrote {path}: {bundleKind.ToString().ToLowerInvariant()} {manifest!.Version}, expires {BundleManifest.FormatDate(manifest.Expires)}, unsigned");
            o.WriteLine("next: each signer runs 'appliance-bundle sign " + path + " --key NAME.key'");
            return BundleToolCli.Ok;
        });
        return command;
    }

    private static ApplianceVersion ParseVersion(string text, string option) =>
        ApplianceVersion.TryParse(text, out var v) ? v : throw new ToolException($"{option} must be MAJOR.MINOR.PATCH, not '{text}'");
}
