using Appliance.Updates.Versioning;

namespace Appliance.Updates.Tests.Versioning;

public class ApplianceVersionTests
{
    [Theory]
    [InlineData("1.2.3", 1, 2, 3)]
    [InlineData("0.0.0", 0, 0, 0)]
    [InlineData("10.20.300", 10, 20, 300)]
    public void Well_formed_versions_parse(string text, int major, int minor, int patch)
    {
        Assert.True(ApplianceVersion.TryParse(text, out var v));
        Assert.Equal(new ApplianceVersion(major, minor, patch), v);
        Assert.Equal(text, v.ToString());
    }

    [Theory]
    [InlineData("1.2")]
    [InlineData("1.2.3.4")]
    [InlineData("01.2.3")]
    [InlineData("1.2.-3")]
    [InlineData("1.2.3-rc1")]
    [InlineData(" 1.2.3")]
    [InlineData("1..3")]
    [InlineData("")]
    [InlineData("9999999.0.0")]
    public void Ambiguous_or_malformed_versions_are_refused(string text) =>
        Assert.False(ApplianceVersion.TryParse(text, out _));

    [Fact]
    public void Versions_compare_numerically_not_as_text()
    {
        Assert.True(ApplianceVersion.Parse("1.10.0") > ApplianceVersion.Parse("1.9.9"));
        Assert.True(ApplianceVersion.Parse("2.0.0") > ApplianceVersion.Parse("1.99.99"));
        Assert.True(ApplianceVersion.Parse("1.0.1") > ApplianceVersion.Parse("1.0.0"));
        Assert.True(ApplianceVersion.Parse("1.0.0") >= ApplianceVersion.Parse("1.0.0"));
    }

    [Fact]
    public void An_informational_version_drops_its_build_suffix()
    {
        Assert.True(ApplianceVersion.TryParseInformational("0.1.0+abcdef", out var v));
        Assert.Equal(ApplianceVersion.Parse("0.1.0"), v);
    }
}
