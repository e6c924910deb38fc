using System.Globalization;

namespace Appliance.Hosting.Configuration;

/// <summary>
/// Converts the text of one scalar (from YAML or an environment variable) to a key's type. A failure returns a
/// reason that tells the operator what to write instead.
/// </summary>
internal static class ConfigValueParser
{
    public static bool TryParseScalar(Type type, string text, out object? value, out string reason)
    {
        value = null;
        reason = "";
        if (type == typeof(string))
        {
            value = text;
            return true;
        }

        if (type == typeof(bool))
        {
            if (bool.TryParse(text, out var b))
            {
                value = b;
                return true;
            }

            reason = $"'{text}' is not a boolean; write true or false";
            return false;
        }

        if (type == typeof(int))
        {
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
            {
                value = i;
                return true;
            }

            reason = $"'{text}' is not a whole number";
            return false;
        }

        if (type == typeof(double))
        {
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            {
                value = d;
                return true;
            }

            reason = $"'{text}' is not a number; write e.g. 0.66";
            return false;
        }

        if (type == typeof(TimeSpan))
        {
            if (Duration.TryParse(text, out var span))
            {
                value = span;
                return true;
            }

            reason = $"'{text}' is not a duration; write {Duration.Forms}";
            return false;
        }

        if (type.IsEnum)
        {
            foreach (var name in Enum.GetNames(type))
            {
                var member = (Enum)Enum.Parse(type, name);
                if (string.Equals(text, ConfigNaming.EnumValue(member), StringComparison.OrdinalIgnoreCase)
                    || string.Equals(text, name, StringComparison.OrdinalIgnoreCase))
                {
                    value = member;
                    return true;
                }
            }

            reason = $"'{text}' is not one of: {string.Join(", ", AllowedValues(type))}";
            return false;
        }

        if (type == typeof(List<string>))
        {
            // Environment form: comma-separated.
            value = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            return true;
        }

        if (type == typeof(Dictionary<string, List<string>>))
        {
            // Environment form: domain=ip;ip,domain2=ip
            var map = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var eq = entry.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    reason = $"'{entry}' is not domain=resolver;resolver";
                    return false;
                }

                map[entry[..eq].Trim()] = entry[(eq + 1)..]
                    .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            }

            value = map;
            return true;
        }

        reason = "cannot be set from a single value; set it in the config file";
        return false;
    }

    public static IEnumerable<string> AllowedValues(Type enumType) =>
        Enum.GetNames(enumType).Select(n => ConfigNaming.EnumValue((Enum)Enum.Parse(enumType, n)));

    /// <summary>How a value is spelled in YAML, docs and `config check` output.</summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        TimeSpan t => Duration.Format(t),
        double d => d.ToString(CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        Enum e => ConfigNaming.EnumValue(e),
        List<string> l => "[" + string.Join(", ", l) + "]",
        Dictionary<string, List<string>> m => "{" + string.Join(", ", m.Select(kv => kv.Key + ": [" + string.Join(", ", kv.Value) + "]")) + "}",
        List<DnsExtraRecord> r => "[" + string.Join(", ", r.Select(x => $"{{name: {x.Name}, type: {x.Type}, value: {x.Value}}}")) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
