using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;
using Appliance.Protocol.Keys;

namespace Appliance.Protocol.Noise;

/// <summary>
/// The optional early payload a server writes inside Noise before HTTP/2 (tailcfg.EarlyNoise; written by headscale
/// hscontrol/noise.go earlyNoise, read by tailscale control/ts2021/conn.go):
/// <code>
/// FF FF FF 54 53 ("\xff\xff\xffTS") · u32 BE length · length bytes of JSON {"nodeKeyChallenge":"chalpub:…"}
/// </code>
/// The magic cannot be the start of the server's first HTTP/2 frame, whose type byte (offset 3) must be SETTINGS
/// (0x04), not 0x54. The client accepts up to 10 MiB. The WebSocket transport never sends it.
/// </summary>
public static class EarlyNoise
{
    public const int HeaderSize = 9;

    /// <summary>The client's limit on the JSON length (control/ts2021/conn.go).</summary>
    public const int MaxLength = 10 << 20;

    private static ReadOnlySpan<byte> Magic => [0xFF, 0xFF, 0xFF, 0x54, 0x53];

    /// <summary>The whole early payload for a challenge key.</summary>
    public static byte[] Create(ChallengePublic nodeKeyChallenge)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new EarlyNoiseJson { NodeKeyChallenge = nodeKeyChallenge }, EarlyNoiseJsonContext.Default.EarlyNoiseJson);
        var payload = new byte[HeaderSize + json.Length];
        Magic.CopyTo(payload);
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(5), (uint)json.Length);
        json.CopyTo(payload.AsSpan(HeaderSize));
        return payload;
    }

    /// <summary>
    /// Client side: looks at the first plaintext bytes of a session. Returns false (consuming nothing) until enough
    /// bytes are there to decide. <paramref name="challenge"/> is null when the stream does not start with the magic
    /// (then the bytes belong to HTTP/2 and nothing is consumed). Throws on a malformed payload.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out ChallengePublic? challenge)
    {
        challenge = null;
        if (buffer.Length < HeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        if (!header[..5].SequenceEqual(Magic))
        {
            return true;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header[5..]);
        if (length > MaxLength)
        {
            throw new NoiseProtocolException($"early payload of {length} bytes exceeds {MaxLength}");
        }

        if (buffer.Length < HeaderSize + length)
        {
            return false;
        }

        EarlyNoiseJson? parsed;
        try
        {
            var reader = new Utf8JsonReader(buffer.Slice(HeaderSize, length));
            parsed = JsonSerializer.Deserialize(ref reader, EarlyNoiseJsonContext.Default.EarlyNoiseJson);
        }
        catch (JsonException ex)
        {
            throw new NoiseProtocolException("early payload is not valid EarlyNoise JSON", ex);
        }

        challenge = parsed?.NodeKeyChallenge ?? ChallengePublic.Zero;
        buffer = buffer.Slice(HeaderSize + length);
        return true;
    }
}

/// <summary>tailcfg.EarlyNoise. The JSON tag is lowercase: "nodeKeyChallenge".</summary>
internal sealed class EarlyNoiseJson
{
    [JsonPropertyName("nodeKeyChallenge")]
    public ChallengePublic NodeKeyChallenge { get; set; }
}

[JsonSerializable(typeof(EarlyNoiseJson))]
internal sealed partial class EarlyNoiseJsonContext : JsonSerializerContext;
