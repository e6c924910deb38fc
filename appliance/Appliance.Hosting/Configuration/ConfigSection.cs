using System.Diagnostics.CodeAnalysis;

namespace Appliance.Hosting.Configuration;

/// <summary>A YAML section and its keys, read from the public properties of its sealed options class.</summary>
public abstract class ConfigSection
{
    protected ConfigSection(string name) => Name = name;

    public string Name { get; }

    public abstract IReadOnlyList<ConfigKey> Keys { get; }

    public abstract Type OptionsType { get; }

    /// <summary>The section's options object inside <paramref name="options"/>.</summary>
    public abstract object GetOptions(ApplianceOptions options);

    /// <summary>A fresh instance with the embedded defaults (used for list items such as dns.extra_records).</summary>
    public abstract object CreateDefault();

    public ConfigKey? Find(string key) => Keys.FirstOrDefault(k => k.Name == key);
}

internal sealed class ConfigSection<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>
    : ConfigSection
    where T : class, new()
{
    private readonly Func<ApplianceOptions, T>? _get;

    public ConfigSection(string name, Func<ApplianceOptions, T>? get)
        : base(name)
    {
        _get = get;
        Keys = typeof(T).GetProperties().Where(p => p.CanWrite).Select(p => new ConfigKey(name, p)).ToArray();
    }

    public override IReadOnlyList<ConfigKey> Keys { get; }

    public override Type OptionsType => typeof(T);

    public override object GetOptions(ApplianceOptions options) =>
        (_get ?? throw new InvalidOperationException($"{Name} is not a top-level section."))(options);

    public override object CreateDefault() => new T();
}
