using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Text;
using Appliance.Control.Connections;
using Appliance.Protocol.Http;
using Microsoft.AspNetCore.Connections;

namespace Appliance.Control.Noise;

/// <summary>
/// ts2021 on the connection-level dispatcher: takes the exact upgrade head a Tailscale client writes on a fresh
/// control connection (tailscale control/controlhttp/client.go dialURL/tryURLUpgrade: <c>POST /ts2021 HTTP/1.1</c>,
/// <c>Connection: upgrade</c>, <c>Upgrade: tailscale-control-protocol</c>, <c>X-Tailscale-Handshake:
/// base64(initiation)</c>, Go's <c>Content-Length: 0</c>), answers <c>101</c> and runs the Noise session straight over
/// the transport (<see cref="NoiseUpgradeHandler.RunSessionAsync(ConnectionContext, byte[])"/>; decision 0111).
/// Whatever it does not take goes to <see cref="NoiseUpgradeHandler.HandleAsync"/> through Kestrel, which answers it as
/// before: refusals with upstream's texts, the WebSocket variant, an upgrade after another request on the same
/// connection, and the 503 while the Noise endpoint is not bound.
/// </summary>
internal sealed class NoiseUpgradeTarget(NoiseUpgradeHandler handler, NoiseConnectionHandoff queue) : IConnectionUpgradeTarget
{
    // What Kestrel wrote for the handler's 101 (Date aside); the client checks the status and the Upgrade value
    // (controlhttp/client.go).
    private static readonly byte[] SwitchingProtocols =
        Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: {NoiseUpgradeHandler.UpgradeValue}\r\n\r\n");

    public string Path => "/ts2021";

    public Func<ConnectionContext, Task>? Accept(UpgradeRequestHead head, ConnectionContext connection)
    {
        // Not bound yet (or any more): the handler's 503 and its log line, as before.
        if (!TryReadInitiation(head, out var initiation) || !queue.IsListening)
        {
            return null;
        }

        return c => RunAsync(c, initiation);
    }

    /// <summary>
    /// The handshake initiation when the head is a client's ts2021 upgrade this path serves: <c>GET</c> or <c>POST</c>,
    /// exactly one <c>Host</c> (HTTP/1.1 needs one; Kestrel answers 400 otherwise), <c>Upgrade:
    /// tailscale-control-protocol</c> and exactly one decodable <c>X-Tailscale-Handshake</c>.
    /// </summary>
    public static bool TryReadInitiation(UpgradeRequestHead head, out byte[] initiation)
    {
        ArgumentNullException.ThrowIfNull(head);
        initiation = [];
        return head.Method is "GET" or "POST"
            && string.Equals(head.Upgrade, NoiseUpgradeHandler.UpgradeValue, StringComparison.OrdinalIgnoreCase)
            && head.Count("Host") == 1
            && head.TryGetSingle(NoiseUpgradeHandler.HandshakeHeader, out var handshake)
            && TryDecodeBase64(handshake, out initiation);
    }

    private async Task RunAsync(ConnectionContext connection, byte[] initiation)
    {
        var output = connection.Transport.Output;
        output.Write(SwitchingProtocols);
        FlushResult flushed;
        try
        {
            flushed = await output.FlushAsync(connection.ConnectionClosed).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or ConnectionAbortedException or IOException)
        {
            return;
        }

        if (flushed.IsCompleted || flushed.IsCanceled)
        {
            return;
        }

        await handler.RunSessionAsync(connection, initiation).ConfigureAwait(false);
    }

    private static bool TryDecodeBase64(string value, out byte[] bytes)
    {
        // Standard padded base64, as Go's base64.StdEncoding (the handler's own decoding, NoiseUpgradeHandler).
        bytes = [];
        var utf8 = Encoding.Latin1.GetBytes(value);
        if (utf8.Length == 0)
        {
            return false;
        }

        var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(utf8.Length)];
        if (Base64.DecodeFromUtf8(utf8, decoded, out var consumed, out var written) != OperationStatus.Done || consumed != utf8.Length)
        {
            return false;
        }

        bytes = decoded.AsSpan(0, written).ToArray();
        return true;
    }
}
