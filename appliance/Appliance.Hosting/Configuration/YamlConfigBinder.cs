using YamlDotNet.RepresentationModel;

namespace Appliance.Hosting.Configuration;

/// <summary>
/// Binds a parsed YAML document onto <see cref="ApplianceOptions"/> through <see cref="ConfigSchema"/>. Every
/// unknown section or key and every bad value becomes a <see cref="ConfigProblem"/> with its file line, so a typo
/// is never silently ignored and one run of `config check` lists everything.
/// </summary>
internal sealed class YamlConfigBinder(string fileName, List<ConfigProblem> problems, Dictionary<string, string> sources)
{
    public void Bind(YamlNode document, ApplianceOptions options)
    {
        if (document is YamlScalarNode { Value: null or "" })
        {
            return; // an empty file means embedded defaults
        }

        if (document is not YamlMappingNode root)
        {
            Add("(file)", "the top level must be a mapping of sections (server:, log:, ...)", document);
            return;
        }

        foreach (var (keyNode, valueNode) in root.Children)
        {
            var name = KeyText(keyNode);
            var section = ConfigSchema.FindSection(name);
            if (section is null)
            {
                var hint = ConfigSchema.Suggest(name, ConfigSchema.Sections.Select(s => s.Name));
                Add(name, "unknown section" + (hint is null ? "; valid sections: " + string.Join(", ", ConfigSchema.Sections.Select(s => s.Name)) : $"; did you mean '{hint}'?"), keyNode);
                continue;
            }

            BindSection(section, section.GetOptions(options), valueNode);
        }
    }

    private void BindSection(ConfigSection section, object target, YamlNode node)
    {
        if (node is YamlScalarNode { Value: null or "" })
        {
            return; // `server:` with nothing under it keeps the defaults
        }

        if (node is not YamlMappingNode mapping)
        {
            Add(section.Name, "must be a mapping of keys", node);
            return;
        }

        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var name = KeyText(keyNode);
            var key = section.Find(name);
            if (key is null)
            {
                var hint = ConfigSchema.Suggest(name, section.Keys.Select(k => k.Name));
                Add(section.Name + "." + name, "unknown key" + (hint is null ? "; valid keys: " + string.Join(", ", section.Keys.Select(k => k.Name)) : $"; did you mean '{hint}'?"), keyNode);
                continue;
            }

            sources[key.Path] = $"{fileName} line {valueNode.Start.Line}";
            BindKey(key, target, valueNode);
        }
    }

    private void BindKey(ConfigKey key, object target, YamlNode node)
    {
        var type = key.ValueType;
        if (type == typeof(List<string>))
        {
            if (TryReadStringList(key.Path, node, out var list))
            {
                key.SetValue(target, list);
            }

            return;
        }

        if (type == typeof(Dictionary<string, List<string>>))
        {
            if (node is YamlScalarNode { Value: null or "" })
            {
                key.SetValue(target, new Dictionary<string, List<string>>());
                return;
            }

            if (node is not YamlMappingNode map)
            {
                Add(key.Path, "must be a mapping of domain: [resolver, ...]", node);
                return;
            }

            var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var (domainNode, serversNode) in map.Children)
            {
                var domain = KeyText(domainNode);
                if (TryReadStringList(key.Path + "." + domain, serversNode, out var servers))
                {
                    result[domain] = servers;
                }
            }

            key.SetValue(target, result);
            return;
        }

        if (type == typeof(List<DnsExtraRecord>))
        {
            BindExtraRecords(key, target, node);
            return;
        }

        if (node is not YamlScalarNode scalar)
        {
            Add(key.Path, "must be a single value", node);
            return;
        }

        if (ConfigValueParser.TryParseScalar(type, scalar.Value ?? "", out var value, out var reason))
        {
            key.SetValue(target, value);
        }
        else
        {
            Add(key.Path, reason, node);
        }
    }

    private void BindExtraRecords(ConfigKey key, object target, YamlNode node)
    {
        var records = new List<DnsExtraRecord>();
        if (node is YamlSequenceNode sequence)
        {
            var index = 0;
            foreach (var item in sequence.Children)
            {
                var path = $"{key.Path}[{index++}]";
                if (item is not YamlMappingNode fields)
                {
                    Add(path, "must be a mapping {name, type, value}", item);
                    continue;
                }

                var record = new DnsExtraRecord();
                foreach (var (fieldNode, valueNode) in fields.Children)
                {
                    var fieldName = KeyText(fieldNode);
                    var field = ConfigSchema.DnsExtraRecordFields.Find(fieldName);
                    if (field is null)
                    {
                        Add(path + "." + fieldName, "unknown key; valid keys: name, type, value", fieldNode);
                    }
                    else if (valueNode is YamlScalarNode { Value: { } text })
                    {
                        field.SetValue(record, text);
                    }
                    else
                    {
                        Add(path + "." + fieldName, "must be a single value", valueNode);
                    }
                }

                records.Add(record);
            }
        }
        else if (node is not YamlScalarNode { Value: null or "" })
        {
            Add(key.Path, "must be a list of {name, type, value}", node);
            return;
        }

        key.SetValue(target, records);
    }

    private bool TryReadStringList(string path, YamlNode node, out List<string> list)
    {
        list = [];
        switch (node)
        {
            case YamlScalarNode { Value: null or "" }:
                return true;
            case YamlSequenceNode sequence:
                foreach (var item in sequence.Children)
                {
                    if (item is YamlScalarNode { Value: { } text })
                    {
                        list.Add(text);
                    }
                    else
                    {
                        Add(path, "list items must be single values", item);
                        return false;
                    }
                }

                return true;
            default:
                Add(path, "must be a list, e.g. [a, b] or one '- item' per line", node);
                return false;
        }
    }

    private static string KeyText(YamlNode node) => node is YamlScalarNode { Value: { } text } ? text : node.ToString();

    private void Add(string key, string message, YamlNode node) =>
        problems.Add(new ConfigProblem(key, message, $"{fileName} line {node.Start.Line}"));
}
