using Appliance.Pki;
using Appliance.Pki.Clients;

namespace Appliance.Hosting.Configuration;

public static partial class ApplianceOptionsValidator
{
    /// <summary>
    /// The site CA and CRL files must load as the login page will load them (<see cref="SiteClientTrust.Load"/>), so
    /// <c>config check</c> and <c>serve</c> refuse a wrong file at once instead of every smart card failing later.
    /// </summary>
    private static void ValidateIdentity(IdentityOptions identity, List<ConfigProblem> problems)
    {
        if (identity.ClientCrlFiles.Count > 0 && identity.ClientCaFiles.Count == 0)
        {
            problems.Add(new("identity.client_crl_files", "is set but identity.client_ca_files is empty; list the site CA whose revocation lists these are"));
            return;
        }

        if (identity.ClientCaFiles.Count == 0)
        {
            return;
        }

        try
        {
            SiteClientTrust.Load(identity.ClientCaFiles, identity.ClientCrlFiles).Dispose();
        }
        catch (CaException e)
        {
            var key = identity.ClientCrlFiles.Any(f => e.Message.StartsWith(f + ":", StringComparison.Ordinal)) ? "identity.client_crl_files" : "identity.client_ca_files";
            problems.Add(new(key, e.Message));
        }
    }
}
