using Appliance.Hosting.Identity;
using Appliance.Hosting.Tests.Configuration;
using Appliance.TestKit.Pki;

namespace Appliance.Hosting.Tests.Identity;

/// <summary>
/// The site CA's configuration keys (identity.client_ca_files, identity.client_crl_files) are checked as the login
/// page will load them, naming the key; the identity file's upn: and email: forms of client_certificate are
/// validated, matched against smart-card certificates, and two people cannot name the same card.
/// </summary>
public sealed class SiteCaConfigTests : IDisposable
{
    private readonly Appliance.TestKit.TempFolder _temp = new();
    private readonly TestSiteCa _site = new();

    public void Dispose()
    {
        _site.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void Site_CA_and_CRL_files_are_loaded_by_config_check_and_a_wrong_one_is_refused_naming_its_key()
    {
        var ca = _temp.Combine("site-ca.pem");
        var crl = _temp.Combine("site-ca.crl");
        File.WriteAllText(ca, _site.CaPem);
        File.WriteAllText(crl, _site.IssuingCrlPem([]));

        var good = ConfigFile.Load($"identity:\n  certificate_login: true\n  client_ca_files: [{ca}]\n  client_crl_files: [{crl}]\n");
        Assert.True(good.IsValid, string.Join("\n", good.Problems));
        Assert.Equal([ca], good.Options.Identity.ClientCaFiles);
        Assert.Equal([crl], good.Options.Identity.ClientCrlFiles);

        using var other = new TestSiteCa("Other Site");
        File.WriteAllText(crl, other.IssuingCrlPem([]));
        var foreign = ConfigFile.Load($"identity:\n  client_ca_files: [{ca}]\n  client_crl_files: [{crl}]\n");
        var problem = Assert.Single(foreign.Problems);
        Assert.Equal("identity.client_crl_files", problem.Key);
        Assert.Contains("is not signed by a certificate in identity.client_ca_files", problem.Message, StringComparison.Ordinal);

        var missing = ConfigFile.Load($"identity:\n  client_ca_files: [{_temp.Combine("none.pem")}]\n");
        Assert.Equal("identity.client_ca_files", Assert.Single(missing.Problems).Key);

        var crlAlone = ConfigFile.Load($"identity:\n  client_crl_files: [{crl}]\n");
        Assert.Contains("identity.client_ca_files is empty", Assert.Single(crlAlone.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Upn_and_email_fields_match_the_card_ignoring_case_and_malformed_ones_are_refused()
    {
        using var card = _site.Issue("Carol", upn: "carol@corp.example", email: "carol@example.org");

        Assert.Null(ClientCertificateField.Problem("upn:Carol@Corp.Example"));
        Assert.True(ClientCertificateField.Matches("upn:Carol@Corp.Example", card));
        Assert.True(ClientCertificateField.Matches("email:CAROL@example.org", card));
        Assert.False(ClientCertificateField.Matches("upn:carol@example.org", card));
        Assert.False(ClientCertificateField.Matches("email:carol@corp.example", card));
        Assert.False(ClientCertificateField.Matches("CN=carol@corp.example", card));
        Assert.NotNull(ClientCertificateField.Problem("upn:carol"));
        Assert.NotNull(ClientCertificateField.Problem("email:"));
        Assert.NotNull(ClientCertificateField.Problem("upn:carol @corp.example"));
    }

    [Fact]
    public void Two_people_naming_the_same_UPN_are_refused_with_line_and_column()
    {
        var text = """
            {
              "people": [
                {"login": "carol@site", "client_certificate": "upn:carol@corp.example"},
                {"login": "mallory@site", "client_certificate": "UPN:Carol@Corp.Example"},
              ],
            }
            """;

        var error = Assert.Throws<IdentityFileException>(() => IdentityFileParser.Parse(text));
        Assert.Contains("4:", error.Message, StringComparison.Ordinal);
        Assert.Contains("has the same client_certificate as \"carol@site\"", error.Message, StringComparison.Ordinal);
    }
}
