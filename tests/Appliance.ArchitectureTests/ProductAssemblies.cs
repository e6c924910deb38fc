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

    /// <summary>
    /// Every type named by the public surface of <paramref name="assembly"/>: the base types and interfaces of its
    /// public types, and the parameter, return, property, field and event types of their public and protected
    /// members, with generic arguments, arrays and by-refs unwrapped.
    /// </summary>
    public static IReadOnlyList<Type> PublicSignatureTypes(string assembly)
    {
        const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var named = new List<Type>();
        foreach (var type in Load(assembly).GetExportedTypes())
        {
            named.AddRange(type.GetInterfaces());
            if (type.BaseType is { } baseType)
            {
                named.Add(baseType);
            }

            foreach (var member in type.GetMembers(Declared))
            {
                switch (member)
                {
                    case MethodBase method when method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly:
                        named.AddRange(method.GetParameters().Select(p => p.ParameterType));
                        if (method is MethodInfo info)
                        {
                            named.Add(info.ReturnType);
                        }

                        break;
                    case PropertyInfo property when property.GetAccessors(nonPublic: false).Length > 0:
                        named.Add(property.PropertyType);
                        break;
                    case FieldInfo field when field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly:
                        named.Add(field.FieldType);
                        break;
                    case EventInfo @event when @event.AddMethod is { IsPublic: true } && @event.EventHandlerType is { } handler:
                        named.Add(handler);
                        break;
                }
            }
        }

        return [.. named.SelectMany(Unwrap).Distinct()];
    }

    private static IEnumerable<Type> Unwrap(Type type)
    {
        if (type.HasElementType)
        {
            return Unwrap(type.GetElementType()!);
        }

        return type.IsGenericType ? [type.GetGenericTypeDefinition(), .. type.GetGenericArguments().SelectMany(Unwrap)] : [type];
    }

    private static Assembly Load(string name) => Assembly.LoadFrom(PathOf(name));

    private static string PathOf(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, name + ".dll");
        Assert.True(File.Exists(path), $"{path} is missing: is {name} referenced by the architecture test project?");
        return path;
    }
}
