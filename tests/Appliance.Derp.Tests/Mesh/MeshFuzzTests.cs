using System.Buffers;
using System.IO.Pipelines;
using Appliance.Derp.Mesh;
using Appliance.Derp.Relay;
using Appliance.Derp.Tests.Relay;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;
using Appliance.TestKit.Derp;

namespace Appliance.Derp.Tests.Mesh;

/// <summary>
/// The new parsing on both sides of a mesh link, fed random and truncated frames: the server (a mesh peer's
/// WatchConns/ForwardPacket/ClosePeer) and the mesh client (a peer's PeerPresent/PeerGone/Ping). Neither may throw,
/// hang or take anything else down; a bad frame ends only that link.
/// </summary>
public class MeshFuzzTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static readonly DerpFrameType[] MeshTypes =
        [DerpFrameType.WatchConns, DerpFrameType.ForwardPacket, DerpFrameType.ClosePeer, DerpFrameType.PeerPresent, DerpFrameType.PeerGone, DerpFrameType.Ping, DerpFrameType.SendPacket];

    [Fact]
    public async Task Random_mesh_frames_from_an_authenticated_peer_never_break_the_server()
    {
        var meshKey = DerpMeshKey.Generate();
        await using var derp = new InMemoryDerp(new DerpServerOptions { MeshKey = meshKey });
        var (bystander, _) = await derp.ConnectAsync();
        var random = new Random(1701);
        for (var round = 0; round < 60; round++)
        {
            var (input, output, accept) = derp.Open();
            var peer = DerpTestClient.CreateRaw(input, output, NodePrivate.Generate());
            _ = await peer.ReadServerKeyAsync().WaitAsync(Wait);
            await peer.SendClientInfoAsync(new DerpClientInfo { MeshKey = meshKey.Hex });
            Assert.Equal(DerpFrameType.ServerInfo, (await peer.ReceiveAsync().WaitAsync(Wait))!.Type);
            for (var i = 0; i < 20; i++)
            {
                var type = MeshTypes[random.Next(MeshTypes.Length)];
                var payload = new byte[random.Next(0, 3) switch { 0 => random.Next(0, 70), 1 => 64 + random.Next(0, 200), _ => 32 }];
                random.NextBytes(payload);
                await peer.SendFrameAsync(type, payload);
            }

            await peer.DisposeAsync();
            var reason = await accept.WaitAsync(Wait);
            Assert.True(reason is DerpCloseReason.ClientClosed or DerpCloseReason.ProtocolError, reason.ToString());
        }

        // The relay still relays for its ordinary clients.
        var (other, _) = await derp.ConnectAsync();
        await other.SendPacketAsync(bystander.PublicKey, "still here"u8.ToArray());
        Assert.Equal("still here"u8.ToArray(), (await bystander.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait))!.Data);
    }

    [Fact]
    public async Task Random_frames_from_a_peer_end_only_the_mesh_link_and_it_is_retried()
    {
        await using var local = new InMemoryDerp(new DerpServerOptions(), time: TimeProvider.System);
        var dialer = new HostilePeerDialer(seed: 99);
        var client = new DerpMeshClient(
            new Uri("https://hostile.test"), local.Server, local.ServerKey, DerpMeshKey.Generate(), dialer,
            new DerpMeshClientOptions { MinReconnectDelay = TimeSpan.FromMilliseconds(1), MaxReconnectDelay = TimeSpan.FromMilliseconds(5) });
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => client.RunAsync(stop.Token));

        await MeshForwardingTests.Until(() => dialer.Sessions >= 40);
        await stop.CancelAsync();
        await run.WaitAsync(Wait);

        Assert.True(client.Connections >= 30, $"links up: {client.Connections}");
        Assert.False(client.IsConnected);
        Assert.Equal(0, local.Server.RemoteClients);
    }

    /// <summary>Plays a DERP server: a proper handshake, then random frames (some mesh-shaped, some truncated), then closes.</summary>
    private sealed class HostilePeerDialer(int seed) : IDerpMeshDialer
    {
        private readonly Random _random = new(seed);
        private int _sessions;

        public int Sessions => Volatile.Read(ref _sessions);

        public Task<DerpMeshTransport> DialAsync(Uri peer, CancellationToken cancellationToken)
        {
            var toServer = new Pipe();
            var toClient = new Pipe();
            int sessionSeed;
            lock (_random)
            {
                sessionSeed = _random.Next();
            }

            _ = Task.Run(() => PlayAsync(toServer.Reader, toClient.Writer, new Random(sessionSeed)), CancellationToken.None);
            return Task.FromResult(new DerpMeshTransport(new Duplex(toClient.Reader, toServer.Writer), new Nothing()));
        }

        private async Task PlayAsync(PipeReader fromClient, PipeWriter toClient, Random random)
        {
            var serverKey = NodePrivate.Generate();
            try
            {
                var frame = new byte[64];
                _ = DerpFrameWriter.TryWriteServerKey(frame, serverKey.Public.Raw, out var written);
                await toClient.WriteAsync(frame.AsMemory(0, written));
                var read = await fromClient.ReadAsync();
                var buffer = read.Buffer;
                Assert.True(DerpFrameReader.TryReadFrame(ref buffer, out var clientInfo));
                Assert.Equal(DerpBoxResult.Ok, DerpHandshakeBox.TryOpenClientInfo(clientInfo.Payload.ToArray(), serverKey, out var clientKey, out var info));
                Assert.NotNull(info!.MeshKey);
                fromClient.AdvanceTo(buffer.End);
                var serverInfo = DerpHandshakeBox.SealServerInfo(new DerpServerInfo(), serverKey, clientKey);
                var infoFrame = new byte[serverInfo.Length + 5];
                _ = DerpFrameWriter.TryWriteServerInfo(infoFrame, serverInfo, out written);
                await toClient.WriteAsync(infoFrame.AsMemory(0, written));
                for (var i = 0; i < 30; i++)
                {
                    var types = new[] { DerpFrameType.PeerPresent, DerpFrameType.PeerGone, DerpFrameType.Ping, DerpFrameType.KeepAlive, (DerpFrameType)0x7f };
                    var payload = new byte[random.Next(0, 4) switch { 0 => random.Next(0, 40), 1 => 32, 2 => 51, _ => random.Next(0, 2000) }];
                    random.NextBytes(payload);
                    var bytes = new byte[payload.Length + 5];
                    _ = DerpFrameWriter.TryWriteFrame(bytes, types[random.Next(types.Length)], payload, out written);
                    await toClient.WriteAsync(bytes.AsMemory(0, written));
                }

                if (random.Next(2) == 0)
                {
                    // A header that declares more than any frame may carry.
                    await toClient.WriteAsync(new byte[] { (byte)DerpFrameType.PeerPresent, 0x7f, 0xff, 0xff, 0xff });
                }
            }
            catch (InvalidOperationException)
            {
                // The client hung up first.
            }
            finally
            {
                _ = Interlocked.Increment(ref _sessions);
                await toClient.CompleteAsync();
                await fromClient.CompleteAsync();
            }
        }

        private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
        {
            public PipeReader Input { get; } = input;

            public PipeWriter Output { get; } = output;
        }

        private sealed class Nothing : IAsyncDisposable
        {
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
