using System.Reflection;

namespace Appliance.Hosting.Configuration;

/// <summary>One key of a section: its YAML name, its dotted path (`server.listen`) and the property it sets.</summary>
public sealed class ConfigKey
{
    internal ConfigKey(string section, PropertyInfo property)
    {
        Section = section;
        Property = property;
        Name = ConfigNaming.ToSnakeCase(property.Name);
    }

    public string Section { get; }

    public string Name { get; }

    public string Path => Section + "." + Name;

    /// <summary>The environment variable that overrides this key: APPLIANCE_&lt;SECTION&gt;_&lt;KEY&gt;.</summary>
    public string EnvironmentVariable => "APPLIANCE_" + (Section + "_" + Name).ToUpperInvariant();

    public Type ValueType => Property.PropertyType;

    internal PropertyInfo Property { get; }

    public object? GetValue(object sectionOptions) => Property.GetValue(sectionOptions);

    /// <summary>The key's value as it is spelled in YAML and docs (180d, local-ca, [a, b]).</summary>
    public string FormatValue(object sectionOptions) => ConfigValueParser.Format(GetValue(sectionOptions));

    internal void SetValue(object sectionOptions, object? value) => Property.SetValue(sectionOptions, value);
}
