using System.Text;

namespace Appliance.Hosting.Configuration;

/// <summary>
/// Maps C# names to the spellings operators write: properties become snake_case YAML keys
/// (ShutdownTimeout → shutdown_timeout) and enum members become kebab-case values (LocalCa → local-ca).
/// </summary>
public static class ConfigNaming
{
    public static string ToSnakeCase(string pascal) => Split(pascal, '_');

    public static string ToKebabCase(string pascal) => Split(pascal, '-');

    /// <summary>The value spelling of an enum member; log levels keep Serilog's capitalised names.</summary>
    public static string EnumValue(Enum value) =>
        value is LogLevelName ? value.ToString() : ToKebabCase(value.ToString());

    private static string Split(string pascal, char separator)
    {
        var text = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(pascal[i - 1]) || char.IsDigit(pascal[i - 1])))
            {
                text.Append(separator);
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }
}
