using Appliance.Hosting.Configuration;
using Appliance.Hosting.Derp;
using Appliance.Hosting.Policy;
using Appliance.Policy.Model;

namespace Appliance.Hosting.Content;

/// <summary>
/// Checks the content files of a folder the way the server will read them: derp-map.json merged with this
/// appliance's own map (same validation as <c>derp.extra_map_file</c>), identity.json, ca-trust.pem. The updater runs
/// it on the staged folder before switching the content link, so a bundle whose content the server would refuse is
/// refused at import and the applied content stays. policy.hujson is refused when larger than the admin API accepts or when
/// the policy parser refuses it (its tests run against the live tailnet when the service applies it). Missing files are fine.
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

        if (File.Exists(files.Policy))
        {
            CheckPolicy(files.Policy, errors);
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

    private static void CheckPolicy(string path, List<string> errors)
    {
        string text;
        try
        {
            text = PolicyText.ReadFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add($"policy '{path}' cannot be used: {e.Message}");
            return;
        }

        var parsed = PolicyParser.Parse(text);
        if (!parsed.Success)
        {
            errors.Add($"policy '{path}' is not valid: {PolicyErrors.Format(parsed.Errors).Replace('\n', ';')}");
        }
    }
}
