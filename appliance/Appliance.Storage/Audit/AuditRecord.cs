using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Appliance.Storage.Audit;

/// <summary>
/// One line of the audit log: <c>{"seq":N,"time":"...","actor":"...","action":"...","target":"...","result":"...","prev":"HEX","hash":"HEX"}</c>.
/// <c>hash</c> is SHA-256 of the UTF-8 line up to (not including) <c>,"hash":</c> followed by <c>}</c>, i.e. of the
/// record without its own hash; <c>prev</c> is the previous line's hash (<see cref="Genesis"/> for the very first),
/// so changing, removing, inserting or reordering a line breaks the chain at that line.
/// </summary>
public sealed record AuditRecord(long Seq, DateTimeOffset Time, string Actor, string Action, string Target, string Result, string Prev, string Hash)
{
    /// <summary>The <c>prev</c> of the first line ever written.</summary>
    public static readonly string Genesis = new('0', 64);

    /// <summary>Longest actor, action, target or result kept; longer values are cut (a line must stay one small write).</summary>
    public const int MaxFieldLength = 1024;

    private const string HashSuffixStart = ",\"hash\":\"";

    /// <summary>Builds the record and its line (without the newline).</summary>
    public static (AuditRecord Record, string Line) Create(long seq, DateTimeOffset time, AuditEntry entry, string prev)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var utc = time.ToUniversalTime();
        var body = Body(seq, utc, Cut(entry.Actor), Cut(entry.Action), Cut(entry.Target), Cut(entry.Result), prev);
        var hash = HashOf(body);
        var line = body[..^1] + HashSuffixStart + hash + "\"}";
        return (new AuditRecord(seq, utc, Cut(entry.Actor), Cut(entry.Action), Cut(entry.Target), Cut(entry.Result), prev, hash), line);
    }

    /// <summary>Parses a line and checks its own hash. Null with a reason when the line is not a well-formed record.</summary>
    public static AuditRecord? TryParse(string line, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(line);
        var at = line.LastIndexOf(HashSuffixStart, StringComparison.Ordinal);
        if (at < 0 || !line.EndsWith("\"}", StringComparison.Ordinal) || line.Length - at - HashSuffixStart.Length - 2 != 64)
        {
            problem = "not an audit record (no hash)";
            return null;
        }

        var hash = line[(at + HashSuffixStart.Length)..^2];
        var body = line[..at] + "}";
        AuditRecord record;
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            record = new AuditRecord(
                root.GetProperty("seq").GetInt64(),
                DateTimeOffset.Parse(root.GetProperty("time").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                root.GetProperty("actor").GetString() ?? "",
                root.GetProperty("action").GetString() ?? "",
                root.GetProperty("target").GetString() ?? "",
                root.GetProperty("result").GetString() ?? "",
                root.GetProperty("prev").GetString() ?? "",
                hash);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            problem = "not an audit record (" + e.GetType().Name + ")";
            return null;
        }

        // Re-serialising the parsed fields must give the same bytes: a line edited into another valid JSON spelling
        // (spacing, escapes, field order) is a change too.
        if (!string.Equals(Body(record.Seq, record.Time, record.Actor, record.Action, record.Target, record.Result, record.Prev), body, StringComparison.Ordinal)
            || !string.Equals(HashOf(body), hash, StringComparison.Ordinal))
        {
            problem = "changed (its hash does not match its content)";
            return null;
        }

        problem = null;
        return record;
    }

    private static string Body(long seq, DateTimeOffset utc, string actor, string action, string target, string result, string prev)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("seq", seq);
            json.WriteString("time", utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("actor", actor);
            json.WriteString("action", action);
            json.WriteString("target", target);
            json.WriteString("result", result);
            json.WriteString("prev", prev);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string HashOf(string body) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));

    private static string Cut(string? value) =>
        value is null ? "" : value.Length > MaxFieldLength ? value[..MaxFieldLength] : value;
}
