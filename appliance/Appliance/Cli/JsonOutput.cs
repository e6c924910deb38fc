using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Appliance.Cli;

/// <summary>
/// JSON as the CLI prints it: relaxed escaping, so a policy's quotes and a URL's '&amp;' stay readable (the default
/// encoder writes \u0022 and \u0026, which is safe for HTML but noise in a terminal or a jq pipe). Still valid JSON.
/// </summary>
public static class JsonOutput
{
    public static string Format(JsonElement element, bool indented)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = indented }))
        {
            element.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
