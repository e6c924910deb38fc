using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Appliance.Protocol.Control;

/// <summary>
/// Go's <c>time.Time</c> JSON form: RFC 3339 with a zone and up to nine fractional digits (Go time.RFC3339Nano,
/// trailing zeros trimmed). We always write UTC with <c>Z</c>: a timestamp without a zone cannot be parsed by the
/// client (docs/wire/keys.md). .NET keeps 100 ns ticks, so digits past the seventh are dropped on read.
/// Go's zero time <c>0001-01-01T00:00:00Z</c> maps to <see cref="DateTimeOffset.MinValue"/>.
/// </summary>
public sealed class GoTimeJsonConverter : JsonConverter<DateTimeOffset>
{
    // "2006-01-02T15:04:05.999999999-07:00" is 35 characters; anything much longer is not a time.
    private const int MaxLength = 40;

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("time must be an RFC 3339 string");
        }

        var text = reader.GetString();
        if (text is null || !TryParse(text, out var value))
        {
            throw new JsonException("invalid RFC 3339 time");
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));

    public static string Format(DateTimeOffset value)
    {
        var utc = value.UtcDateTime;
        var text = utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.');
        return text + "Z";
    }

    public static bool TryParse(string text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length is < 20 or > MaxLength)
        {
            return false;
        }

        // Truncate fractions beyond the 7 digits .NET can hold (Go sends up to 9).
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            if (end - dot - 1 > 7)
            {
                text = string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
            }
        }

        return DateTimeOffset.TryParseExact(
            text,
            ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"],
            CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal,
            out value);
    }
}
