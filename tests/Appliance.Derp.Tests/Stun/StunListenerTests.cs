using System.Net;
using System.Net.Sockets;
using Appliance.Derp.Stun;
using Appliance.Protocol.Stun;
using Appliance.TestKit.Derp;

namespace Appliance.Derp.Tests.Stun;

public class StunListenerTests
{
    [Fact]
    public async Task A_binding_request_over_loopback_UDP_is_answered_with_the_senders_address()
    {
        using var listener = StunListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var stop = new CancellationTokenSource();
        var run = listener.RunAsync(stop.Token);
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));

        using var doc = RecordedDerp.LoadStun();
        var request = doc.RootElement.GetProperty("exchanges")[0].Hex("request");
        await client.SendAsync(request, listener.LocalEndPoint);
        var reply = await client.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10));

        var txid = new byte[12];
        Assert.True(StunBindingResponse.TryParse(reply.Buffer, txid, out var mapped));
        Assert.Equal(request.AsSpan(8, 12).ToArray(), txid);
        Assert.Equal(client.Client.LocalEndPoint, mapped);
        Assert.Equal(1, listener.Metrics.Responses);

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Garbage_is_ignored_and_the_listener_keeps_answering()
    {
        using var listener = StunListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var stop = new CancellationTokenSource();
        var run = listener.RunAsync(stop.Token);
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));

        await client.SendAsync("not stun"u8.ToArray(), listener.LocalEndPoint);
        var request = new byte[StunBindingRequest.Length];
        Assert.True(StunBindingRequest.TryWrite(request, new byte[12], out _));
        await client.SendAsync(request, listener.LocalEndPoint);
        var reply = await client.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(StunBindingResponse.TryParse(reply.Buffer, new byte[12], out _));
        Assert.Equal(1, listener.Metrics.Ignored);

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task An_IPv6_client_gets_an_IPv6_mapped_address()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return;
        }

        StunListener listener;
        try
        {
            listener = StunListener.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        }
        catch (SocketException)
        {
            return; // ::1 not configured in this network namespace.
        }

        using (listener)
        {
            using var stop = new CancellationTokenSource();
            var run = listener.RunAsync(stop.Token);
            using var client = new UdpClient(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            var request = new byte[StunBindingRequest.Length];
            Assert.True(StunBindingRequest.TryWrite(request, new byte[12], out _));
            await client.SendAsync(request, listener.LocalEndPoint);
            var reply = await client.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10));

            Assert.True(StunBindingResponse.TryParse(reply.Buffer, new byte[12], out var mapped));
            Assert.Equal(client.Client.LocalEndPoint, mapped);
            Assert.Equal(44, reply.Buffer.Length);

            await stop.CancelAsync();
            await run.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }
}
