using System.Text.Json;
using System.Text.Json.Serialization;

namespace Appliance.Protocol.Keys;

/// <summary>JSON as the Go encoder writes a key: the prefixed text form, prefix required (types/key MarshalText).</summary>
public sealed class PublicKeyJsonConverter<TKey> : JsonConverter<TKey>
    where TKey : struct, IPublicKey<TKey>
{
    public override TKey Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        if (text is null || !KeyText.TryParse<TKey>(text, out var key))
        {
            throw new JsonException($"invalid {typeof(TKey).Name}: expected '{TKey.TextPrefix}' followed by {KeyText.KeySize * 2} hex digits");
        }

        return key;
    }

    public override void Write(Utf8JsonWriter writer, TKey value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
