using System.Text.Json;

namespace Appliance.Protocol.Control;

/// <summary>
/// Serialise and parse control messages with the wire conventions of <see cref="ControlJsonContext"/>.
/// Parsing untrusted bodies is bounded: the caller caps the body size (<see cref="MaxRequestBytes"/>, headscale's
/// 1 MiB), and nesting deeper than <see cref="MaxDepth"/> fails. Every failure is a <see cref="ControlProtocolException"/>.
/// </summary>
public static class ControlJson
{
    /// <summary>Request bodies above this are refused before parsing (headscale caps at 1 MiB as well).</summary>
    public const int MaxRequestBytes = 1 << 20;

    /// <summary>The deepest real message (MapResponse → Peers → Node → Hostinfo → NetInfo → DERPLatency) is 6 levels.</summary>
    public const int MaxDepth = 32;

    public static ControlJsonContext Context => ControlJsonContext.Default;

    public static RegisterRequest ParseRegisterRequest(ReadOnlySpan<byte> body) =>
        Parse(body, ControlJsonContext.Default.RegisterRequest, "RegisterRequest");

    public static MapRequest ParseMapRequest(ReadOnlySpan<byte> body) =>
        Parse(body, ControlJsonContext.Default.MapRequest, "MapRequest");

    public static MapResponse ParseMapResponse(ReadOnlySpan<byte> body) =>
        Parse(body, ControlJsonContext.Default.MapResponse, "MapResponse");

    public static RegisterResponse ParseRegisterResponse(ReadOnlySpan<byte> body) =>
        Parse(body, ControlJsonContext.Default.RegisterResponse, "RegisterResponse");

    public static byte[] Serialize(MapResponse message) =>
        JsonSerializer.SerializeToUtf8Bytes(message, ControlJsonContext.Default.MapResponse);

    public static byte[] Serialize(RegisterResponse message) =>
        JsonSerializer.SerializeToUtf8Bytes(message, ControlJsonContext.Default.RegisterResponse);

    public static byte[] Serialize(RegisterRequest message) =>
        JsonSerializer.SerializeToUtf8Bytes(message, ControlJsonContext.Default.RegisterRequest);

    public static byte[] Serialize(MapRequest message) =>
        JsonSerializer.SerializeToUtf8Bytes(message, ControlJsonContext.Default.MapRequest);

    private static T Parse<T>(ReadOnlySpan<byte> body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info, string what)
        where T : class
    {
        if (body.Length > MaxRequestBytes)
        {
            throw new ControlProtocolException($"{what} is {body.Length} bytes; the limit is {MaxRequestBytes}");
        }

        // The reader does not validate string bytes it keeps as raw JsonElements (unknown Hostinfo fields), and those
        // are re-sent to peers: refuse invalid UTF-8 up front (found by the fuzz test).
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            throw new ControlProtocolException($"{what} is not valid UTF-8");
        }

        try
        {
            return JsonSerializer.Deserialize(body, info)
                ?? throw new ControlProtocolException($"{what} is null");
        }
        catch (JsonException e)
        {
            throw new ControlProtocolException($"invalid {what} JSON: {e.Message}", e);
        }
    }
}
