using System.Security.Cryptography;
using System.Text.Json;
using Appliance.Protocol.Keys;

namespace Appliance.Protocol.Derp;

/// <summary>Why a ClientInfo or ServerInfo payload was not accepted.</summary>
public enum DerpBoxResult
{
    Ok,

    /// <summary>Shorter than key + nonce + tag.</summary>
    TooShort,

    /// <summary>The NaCl box did not authenticate (wrong key, tampered bytes).</summary>
    BoxDidNotOpen,

    /// <summary>It opened but the JSON is not a ClientInfo/ServerInfo object.</summary>
    BadJson,
}

/// <summary>
/// Seals and opens the two handshake boxes (tailscale types/key/node.go SealTo/OpenFrom; derp_client.go sendClientKey;
/// derpserver.go recvClientKey/sendServerInfo). Layouts:
/// <code>
/// ClientInfo payload: client NodePublic (32) · nonce (24) · box = tag (16) ‖ XSalsa20(JSON)   client priv → server pub
/// ServerInfo payload: nonce (24) · box = tag (16) ‖ XSalsa20(JSON)                           server priv → client pub
/// </code>
/// The nonce is random for every box.
/// </summary>
public static class DerpHandshakeBox
{
    private const int Overhead = NaclBox.NonceLength + NaclBox.TagLength;

    /// <summary>ClientInfo payload (key · nonce · box), ready for a ClientInfo frame.</summary>
    public static byte[] SealClientInfo(DerpClientInfo info, NodePrivate client, NodePublic server)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(client);
        var json = JsonSerializer.SerializeToUtf8Bytes(info, DerpJsonContext.Default.DerpClientInfo);
        var payload = new byte[DerpConstants.KeyLength + Overhead + json.Length];
        client.Public.CopyTo(payload);
        SealInto(payload.AsSpan(DerpConstants.KeyLength), json, server.Raw, client.Raw);
        return payload;
    }

    /// <summary>ServerInfo payload (nonce · box).</summary>
    public static byte[] SealServerInfo(DerpServerInfo info, NodePrivate server, NodePublic client)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(server);
        var json = JsonSerializer.SerializeToUtf8Bytes(info, DerpJsonContext.Default.DerpServerInfo);
        var payload = new byte[Overhead + json.Length];
        SealInto(payload, json, client.Raw, server.Raw);
        return payload;
    }

    /// <summary>Reads the claimed client key and opens the ClientInfo box with the server's private key.</summary>
    public static DerpBoxResult TryOpenClientInfo(ReadOnlySpan<byte> payload, NodePrivate server, out NodePublic client, out DerpClientInfo? info)
    {
        ArgumentNullException.ThrowIfNull(server);
        info = null;
        client = default;
        if (payload.Length < DerpConstants.KeyLength + Overhead)
        {
            return DerpBoxResult.TooShort;
        }

        client = NodePublic.FromRaw(payload[..DerpConstants.KeyLength]);
        var result = TryOpen(payload[DerpConstants.KeyLength..], client.Raw, server.Raw, out var json);
        if (result != DerpBoxResult.Ok)
        {
            return result;
        }

        try
        {
            info = JsonSerializer.Deserialize(json, DerpJsonContext.Default.DerpClientInfo);
        }
        catch (JsonException)
        {
            return DerpBoxResult.BadJson;
        }

        return info is null ? DerpBoxResult.BadJson : DerpBoxResult.Ok;
    }

    public static DerpBoxResult TryOpenServerInfo(ReadOnlySpan<byte> payload, NodePrivate client, NodePublic server, out DerpServerInfo? info)
    {
        ArgumentNullException.ThrowIfNull(client);
        info = null;
        var result = TryOpen(payload, server.Raw, client.Raw, out var json);
        if (result != DerpBoxResult.Ok)
        {
            return result;
        }

        try
        {
            info = JsonSerializer.Deserialize(json, DerpJsonContext.Default.DerpServerInfo);
        }
        catch (JsonException)
        {
            return DerpBoxResult.BadJson;
        }

        return info is null ? DerpBoxResult.BadJson : DerpBoxResult.Ok;
    }

    private static void SealInto(Span<byte> nonceAndBox, ReadOnlySpan<byte> message, ReadOnlySpan<byte> recipientPublic, ReadOnlySpan<byte> senderPrivate)
    {
        var nonce = nonceAndBox[..NaclBox.NonceLength];
        RandomNumberGenerator.Fill(nonce);
        NaclBox.Seal(nonceAndBox[NaclBox.NonceLength..], message, nonce, recipientPublic, senderPrivate);
    }

    private static DerpBoxResult TryOpen(ReadOnlySpan<byte> nonceAndBox, ReadOnlySpan<byte> senderPublic, ReadOnlySpan<byte> recipientPrivate, out byte[] message)
    {
        message = [];
        if (nonceAndBox.Length < Overhead)
        {
            return DerpBoxResult.TooShort;
        }

        var box = nonceAndBox[NaclBox.NonceLength..];
        var plain = new byte[box.Length - NaclBox.TagLength];
        if (!NaclBox.TryOpen(plain, box, nonceAndBox[..NaclBox.NonceLength], senderPublic, recipientPrivate))
        {
            return DerpBoxResult.BoxDidNotOpen;
        }

        message = plain;
        return DerpBoxResult.Ok;
    }
}
