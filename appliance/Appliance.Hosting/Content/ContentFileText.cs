using System.Globalization;
using System.Text.Json;

namespace Appliance.Hosting.Content;

/// <summary>
/// How the operator-supplied files (update content, <c>derp.extra_map_file</c>) are read and how their errors read:
/// every failure is an <see cref="InvalidDataException"/> that starts with "LABEL 'PATH'", plus ":LINE" for a JSON
/// syntax or type error, so the operator can go straight to the line.
/// </summary>
internal static class ContentFileText
{
    public static byte[] ReadBytes(string path, string label) => Read(path, label, File.ReadAllBytes);

    public static string ReadText(string path, string label) => Read(path, label, File.ReadAllText);

    /// <summary>":LINE" (1-based; JsonException counts from 0, editors from 1), or empty when the reader gave no line.</summary>
    public static string LineOf(JsonException exception) =>
        exception.LineNumber is { } line ? ":" + (line + 1).ToString(CultureInfo.InvariantCulture) : string.Empty;

    private static T Read<T>(string path, string label, Func<string, T> read)
    {
        try
        {
            return read(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{label} '{path}' cannot be read: {exception.Message}", exception);
        }
    }
}
