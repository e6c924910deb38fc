using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

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

    /// <summary>
    /// The types of <paramref name="target"/> that <paramref name="assembly"/> names in its metadata (its TypeRef table:
    /// every type its code or signatures use), as "Namespace.Name" of the outermost type.
    /// </summary>
    public static IReadOnlyList<string> TypesUsedFrom(string assembly, string target)
    {
        using var stream = File.OpenRead(PathOf(assembly));
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var used = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var handle in metadata.TypeReferences)
        {
            var type = metadata.GetTypeReference(handle);
            while (type.ResolutionScope.Kind == HandleKind.TypeReference)
            {
                type = metadata.GetTypeReference((TypeReferenceHandle)type.ResolutionScope);
            }

            if (type.ResolutionScope.Kind == HandleKind.AssemblyReference
                && metadata.GetString(metadata.GetAssemblyReference((AssemblyReferenceHandle)type.ResolutionScope).Name) == target)
            {
                used.Add(metadata.GetString(type.Namespace) + "." + metadata.GetString(type.Name));
            }
        }

        return [.. used];
    }

    /// <summary>The public types of <paramref name="assembly"/> (outermost and nested), as "Namespace.Name".</summary>
    public static IReadOnlyList<string> PublicTypes(string assembly) =>
        [.. Load(assembly).GetExportedTypes().Select(t => t.FullName!).Order(StringComparer.Ordinal)];

    private static Assembly Load(string name) => Assembly.LoadFrom(PathOf(name));

    private static string PathOf(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, name + ".dll");
        Assert.True(File.Exists(path), $"{path} is missing: is {name} referenced by the architecture test project?");
        return path;
    }
}
