using Appliance.Hosting.Configuration;
using Appliance.Hosting.Tls;

namespace Appliance.Hosting.Tests.Configuration;

public class EnvironmentOverrideTests
{
    [Fact]
    public void Long_form_variables_override_the_file()
    {
        var result = ConfigFile.Load("server: {shutdown_timeout: 5s}\n", new()
        {
            ["APPLIANCE_SERVER_SHUTDOWN_TIMEOUT"] = "20s",
            ["APPLIANCE_DERP_REGION_ID"] = "901",
            ["APPLIANCE_DNS_NAMESERVERS"] = "10.0.0.53, 10.0.0.54",
            ["APPLIANCE_DNS_SPLIT_DNS"] = "corp.example=10.0.0.1;10.0.0.2",
            ["APPLIANCE_TLS_MODE"] = "off",
        });

        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        Assert.Equal(TimeSpan.FromSeconds(20), result.Options.Server.ShutdownTimeout);
        Assert.Equal(901, result.Options.Derp.RegionId);
        Assert.Equal(["10.0.0.53", "10.0.0.54"], result.Options.Dns.Nameservers);
        Assert.Equal(["10.0.0.1", "10.0.0.2"], result.Options.Dns.SplitDns["corp.example"]);
        Assert.Equal(TlsMode.Off, result.Options.Tls.Mode);
    }

    [Fact]
    public void Short_forms_set_the_data_folder_and_listeners_and_win_over_long_forms()
    {
        var result = ConfigFile.Load("server: {listen: 127.0.0.1:1000}\n", new()
        {
            ["APPLIANCE_DATA_DIR"] = "/var/lib/appliance",
            ["APPLIANCE_SERVER_LISTEN"] = "127.0.0.1:2000",
            ["APPLIANCE_LISTEN"] = "127.0.0.1:3000",
            ["APPLIANCE_HTTPS_LISTEN"] = "127.0.0.1:3443",
        });

        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        Assert.Equal("/var/lib/appliance", result.Options.Server.DataDir);
        Assert.Equal("127.0.0.1:3000", result.Options.Server.Listen);
        Assert.Equal("127.0.0.1:3443", result.Options.Server.HttpsListen);
    }

    [Fact]
    public void A_bad_value_from_the_environment_names_its_key_and_variable()
    {
        var result = ConfigFile.Load("", new() { ["APPLIANCE_NODES_KEY_EXPIRY"] = "forever" });

        var problem = Assert.Single(result.Problems);
        Assert.Equal("nodes.key_expiry", problem.Key);
        Assert.Equal("environment APPLIANCE_NODES_KEY_EXPIRY", problem.Source);
    }

    [Fact]
    public void A_misspelt_key_in_a_known_section_is_an_error()
    {
        var result = ConfigFile.Load("", new() { ["APPLIANCE_LOG_LEVL"] = "Debug" });

        var problem = Assert.Single(result.Problems);
        Assert.Equal("log.levl", problem.Key);
        Assert.Contains("APPLIANCE_LOG_LEVEL", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Variables_that_name_no_section_are_left_to_their_owners()
    {
        var result = ConfigFile.Load("", new() { ["APPLIANCE_SHARED_DIR"] = "/work/shared" });

        Assert.True(result.IsValid, string.Join("\n", result.Problems));
    }

    [Fact]
    public void Every_key_has_an_environment_variable_that_sets_it()
    {
        foreach (var key in ConfigSchema.AllKeys)
        {
            Assert.Equal("APPLIANCE_" + key.Section.ToUpperInvariant() + "_" + key.Name.ToUpperInvariant(), key.EnvironmentVariable);
        }
    }
}
