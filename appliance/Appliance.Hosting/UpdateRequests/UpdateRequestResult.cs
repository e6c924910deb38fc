using System.Globalization;
using System.Text.Json;

namespace Appliance.Hosting.UpdateRequests;

/// <summary>
/// How root's import of a console request ended (<c>result.json</c> in the <see cref="UpdateInbox"/>), for the
/// console's updates page: the request it answers, whether it applied, and the importer's message.
/// </summary>
public sealed record UpdateRequestResult(string Id, string Person, string File, bool Succeeded, string Message, DateTimeOffset FinishedAt)
{
    public const int MaxFileBytes = 16 * 1024;

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("id", Id);
            json.WriteString("person", Person);
            json.WriteString("file", File);
            json.WriteBoolean("succeeded", Succeeded);
            json.WriteString("message", Message.Length > 4000 ? Message[..4000] : Message);
            json.WriteString("finished_at", FinishedAt.ToString("O", CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static UpdateRequestResult Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxFileBytes)
        {
            throw new InvalidDataException($"the result file is larger than {MaxFileBytes} bytes");
        }

        try
        {
            using var document = JsonDocument.Parse(bytes.ToArray());
            var root = document.RootElement;
            string Field(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()!
                : throw new InvalidDataException($"the result file has no \"{name}\"");
            var succeeded = root.TryGetProperty("succeeded", out var s) && s.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? s.GetBoolean()
                : throw new InvalidDataException("the result file has no \"succeeded\"");
            return DateTimeOffset.TryParse(Field("finished_at"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
                ? new UpdateRequestResult(Field("id"), Field("person"), Field("file"), succeeded, Field("message"), at)
                : throw new InvalidDataException("the result file has no valid \"finished_at\"");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException("the result file is not valid: " + e.Message, e);
        }
    }
}
