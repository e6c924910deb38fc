using Appliance.Hosting.Configuration;
using Appliance.Hosting.Tls;

namespace Appliance.Hosting.Tests.Configuration;

public class ConfigNamingTests
{
    [Theory]
    [InlineData("ShutdownTimeout", "shutdown_timeout")]
    [InlineData("V4", "v4")]
    [InlineData("Ipv6", "ipv6")]
    [InlineData("EphemeralInactivityTimeout", "ephemeral_inactivity_timeout")]
    public void Property_names_become_snake_case_keys(string property, string key) => Assert.Equal(key, ConfigNaming.ToSnakeCase(property));

    [Fact]
    public void Enum_members_become_kebab_case_values_but_log_levels_keep_their_names()
    {
        Assert.Equal("local-ca", ConfigNaming.EnumValue(TlsMode.LocalCa));
        Assert.Equal("Information", ConfigNaming.EnumValue(LogLevelName.Information));
    }
}
