using System.Net.Sockets;
using Appliance.Protocol.Http;

namespace Appliance.Hosting.Derp.Sockets;

/// <summary>
/// Reads a fresh connection's first request head without consuming it (<c>MSG_PEEK</c>), with the same rules and
/// limits as the connection-upgrade dispatcher (Control/Connections, decision 0115): Protocol's
/// <see cref="UpgradeHeadReader"/> for <c>/derp</c> only, KeepAliveTimeout until the first byte and
/// RequestHeadersTimeout from it. Whatever it decides, the bytes are still in the socket: a connection that is not
/// DERP reaches Kestrel exactly as it was sent.
/// </summary>
internal sealed class DerpSocketHead(TimeSpan keepAliveTimeout, TimeSpan requestHeadersTimeout, TimeProvider time)
{
    /// <summary>Between peeks of a head that arrived in pieces (rare: clients write the head in one write).</summary>
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(1), LastPoll = TimeSpan.FromMilliseconds(50);

    private readonly UpgradeHeadReader _reader = new(["/derp"]);

    /// <summary>
    /// <see cref="UpgradeHeadStatus.Parsed"/> with the head, or <see cref="UpgradeHeadStatus.NotUpgrade"/> for bytes
    /// that are Kestrel's; null when the connection closed, failed or ran out of time before either (the caller closes it).
    /// </summary>
    public async Task<(UpgradeHeadStatus Status, UpgradeRequestHead? Head)?> PeekAsync(Socket socket, CancellationToken cancellationToken)
    {
        // One byte over the bound, so that a head longer than the bound is seen to be longer.
        var buffer = new byte[UpgradeHeadReader.MaxHeadBytes + 1];
        using var deadline = new CancellationTokenSource(keepAliveTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            var received = await socket.ReceiveAsync(buffer, SocketFlags.Peek, linked.Token).ConfigureAwait(false);
            if (received == 0)
            {
                return null;
            }

            deadline.CancelAfter(requestHeadersTimeout);
            var poll = FirstPoll;
            while (true)
            {
                var status = _reader.Read(buffer.AsSpan(0, received), more: false, out var head);
                if (status != UpgradeHeadStatus.NeedMore)
                {
                    return (status, head);
                }

                // The peer may still be writing the head; a peek returns at once while any byte is unread, so wait a little between looks.
                await Task.Delay(poll, time, linked.Token).ConfigureAwait(false);
                poll = poll * 2 < LastPoll ? poll * 2 : LastPoll;
                received = await socket.ReceiveAsync(buffer, SocketFlags.Peek, linked.Token).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            return null;
        }
    }
}
