using System.Reflection;

namespace Appliance.ArchitectureTests;

/// <summary>
/// The product's assemblies, loaded by name from the test's output folder, and what each one references in its
/// metadata. The compiler drops a reference nothing uses, so a name listed here is a real dependency.
/// </summary>
internal static class ProductAssemblies
{
    public static readonly string[] All =
    [
        "appliance", "Appliance.Hosting", "Appliance.Control", "Appliance.Derp", "Appliance.State", "Appliance.Storage",
        "Appliance.Policy", "Appliance.Pki", "Appliance.Updates", "Appliance.Protocol", "appliance-bundle",
    ];

    public static IReadOnlyList<string> References(string assembly) =>
        [.. Load(assembly).GetReferencedAssemblies().Select(r => r.Name!).Order(StringComparer.Ordinal)];

    /// <summary>Every product assembly that references <paramref name="target"/>.</summary>
    public static IReadOnlyList<string> ReferencersOf(string target) =>
        [.. All.Where(a => References(a).Contains(target, StringComparer.Ordinal)).Order(StringComparer.Ordinal)];

    private static Assembly Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, name + ".dll");
        Assert.True(File.Exists(path), $"{path} is missing: is {name} referenced by the architecture test project?");
        return Assembly.LoadFrom(path);
    }
}
