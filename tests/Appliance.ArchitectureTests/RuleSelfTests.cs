namespace Appliance.ArchitectureTests;

/// <summary>The checks themselves can fail: references are read, not assumed.</summary>
public sealed class RuleSelfTests
{
    [Fact]
    public void References_are_read_from_metadata()
    {
        Assert.Contains("Appliance.Protocol", ProductAssemblies.References("Appliance.State"));
        Assert.Contains("Appliance.Storage", ProductAssemblies.References("Appliance.State"));
        Assert.Contains(ProductAssemblies.References("Appliance.Hosting"), r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }
}
