using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Appliance.Hosting.UpdateRequests;

/// <summary>
/// Who asked, from the admin console, for the bundle waiting in the <see cref="UpdateInbox"/> to be imported, and
/// what the console found it to be. Written by the unprivileged service, read by root's importer: everything in it is
/// checked again there (the bundle is verified anew; these fields only name the person in the audit record).
/// </summary>
/// <param name="Id">Random id of the request, to tell one result from the next.</param>
/// <param name="File">The file name the browser sent (for the history and the audit record only).</param>
/// <param name="Person">The console login that asked: the audit record's actor.</param>
/// <param name="Role">The person's role when they asked.</param>
/// <param name="Address">The browser's address.</param>
/// <param name="Bundle">What the console's verification found: "release 1.2.0" or "content 1.2.0".</param>
public sealed record UpdateRequest(string Id, string File, string Person, string Role, string Address, string Bundle, DateTimeOffset RequestedAt)
{
    /// <summary>A request file is a few hundred bytes; anything larger is not one of ours.</summary>
    public const int MaxFileBytes = 4096;

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("id", Id);
            json.WriteString("file", File);
            json.WriteString("person", Person);
            json.WriteString("role", Role);
            json.WriteString("address", Address);
            json.WriteString("bundle", Bundle);
            json.WriteString("requested_at", RequestedAt.ToString("O", CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Parses a request file; a file that is not one (too large, not JSON, a field missing or odd) is an <see cref="InvalidDataException"/>.</summary>
    public static UpdateRequest Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxFileBytes)
        {
            throw new InvalidDataException($"the request file is larger than {MaxFileBytes} bytes");
        }

        try
        {
            using var document = JsonDocument.Parse(bytes.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException("the request file is not a JSON object");
            }

            string Field(string name) =>
                root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 and <= 512 } text
                && !text.Any(char.IsControl)
                    ? text
                    : throw new InvalidDataException($"the request file has no valid \"{name}\"");

            if (!DateTimeOffset.TryParse(Field("requested_at"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at))
            {
                throw new InvalidDataException("the request file has no valid \"requested_at\"");
            }

            return new UpdateRequest(Field("id"), Field("file"), Field("person"), Field("role"), Field("address"), Field("bundle"), at);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not valid UTF-8 (found by the fuzz test).
            throw new InvalidDataException("the request file is not valid JSON: " + e.Message, e);
        }
    }

    /// <summary>The audit record's target for the import root runs: the file, and where the request came from.</summary>
    public string AuditTarget => new StringBuilder(File).Append(" (console, ").Append(Role).Append(", from ").Append(Address).Append(')').ToString();
}
