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

    [Fact]
    public void Types_used_from_another_assembly_are_read_from_metadata()
    {
        Assert.Contains("Appliance.Storage.Stores.NodeStore", ProductAssemblies.TypesUsedFrom("Appliance.State", "Appliance.Storage"));
        Assert.Contains("Appliance.Storage.Database.ApplianceDatabase", ProductAssemblies.TypesUsedFrom("Appliance.Hosting", "Appliance.Storage"));
        Assert.DoesNotContain(ProductAssemblies.TypesUsedFrom("Appliance.Hosting", "Appliance.Storage"), t => t.StartsWith("Appliance.State", StringComparison.Ordinal));
        Assert.Contains("Appliance.Storage.Database.ApplianceDatabase", ProductAssemblies.PublicTypes("Appliance.Storage"));
    }

    [Fact]
    public void Public_signatures_are_read_through_reflection()
    {
        // IdentityService's constructor takes the database handle and its ListPreAuthKeys returns State's keys
        // inside OperationResult<IReadOnlyList<...>>: both must be found, generic arguments unwrapped.
        var named = ProductAssemblies.PublicSignatureTypes("Appliance.State");
        Assert.Contains(named, t => t.FullName == "Appliance.Storage.Database.ApplianceDatabase");
        Assert.Contains(named, t => t.FullName == "Appliance.State.Identity.PreAuthKey");
    }
}
