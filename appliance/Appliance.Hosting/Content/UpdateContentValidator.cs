using Appliance.Hosting.Configuration;
using Appliance.Hosting.Derp;

namespace Appliance.Hosting.Content;

/// <summary>
/// Checks the content files of a folder the way the server will read them: derp-map.json merged with this
/// appliance's own map (same validation as <c>derp.extra_map_file</c>), identity.json, ca-trust.pem. The updater runs
/// it on the staged folder before switching the content link, so a bundle whose content the server would refuse is
/// refused at import and the applied content stays. Policy is checked by the policy area. Missing files are fine.
/// </summary>
public static class UpdateContentValidator
{
    public static IReadOnlyList<string> Check(UpdateContentFiles files, ApplianceOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (File.Exists(files.DerpMap))
        {
            try
            {
                if (!new EmbeddedDerpMapProvider(options, certName: null, files.DerpMap).TryReload(out var error))
                {
                    errors.Add(error!);
                }
            }
            catch (InvalidDataException exception)
            {
                // derp.extra_map_file itself is broken: the server would not start either.
                errors.Add(exception.Message);
            }
        }

        if (File.Exists(files.Identity))
        {
            try
            {
                _ = IdentityFile.Load(files.Identity);
            }
            catch (InvalidDataException exception)
            {
                errors.Add(exception.Message);
            }
        }

        if (File.Exists(files.IdentityFile))
        {
            try
            {
                _ = Identity.IdentityFileParser.Parse(File.ReadAllText(files.IdentityFile));
            }
            catch (Identity.IdentityFileException exception)
            {
                errors.Add($"'{files.IdentityFile}':{exception.Message}");
            }
        }

        if (File.Exists(files.CaTrust))
        {
            try
            {
                foreach (var certificate in CaTrustFile.Load(files.CaTrust, now))
                {
                    certificate.Dispose();
                }
            }
            catch (InvalidDataException exception)
            {
                errors.Add(exception.Message);
            }
        }

        return errors;
    }
}
