using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Appliance.Updates.Json;

/// <summary>
/// Canonical bytes for signed documents: compact, declaration-ordered, produced only by our serializer.
/// A reader accepts a signed document only if re-serialising what it parsed gives the same bytes, so there is
/// exactly one byte string per meaning (no duplicate members, no whitespace games, no alternative escapes).
/// </summary>
internal static class CanonicalJson
{
    public static byte[] Serialize<T>(T value, JsonTypeInfo<T> info) => JsonSerializer.SerializeToUtf8Bytes(value, info);

    /// <summary>Parses <paramref name="bytes"/> and returns null unless they are valid and canonical.</summary>
    public static T? TryParseCanonical<T>(ReadOnlySpan<byte> bytes, JsonTypeInfo<T> info, out string? error)
        where T : class
    {
        error = null;
        T? value;
        try
        {
            value = JsonSerializer.Deserialize(bytes, info);
        }
        catch (JsonException e)
        {
            error = "not valid JSON for this document: " + e.Message;
            return null;
        }

        if (value is null)
        {
            error = "the document is empty (null)";
            return null;
        }

        if (!bytes.SequenceEqual(Serialize(value, info)))
        {
            error = "the document is not in canonical form (it was edited or not written by appliance-bundle)";
            return null;
        }

        return value;
    }
}
