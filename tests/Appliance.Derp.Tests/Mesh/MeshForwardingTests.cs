using Appliance.Derp.Mesh;
using Appliance.Derp.Relay;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;

namespace Appliance.Derp.Tests.Mesh;

public class MeshForwardingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_client_homed_on_A_reaches_a_client_homed_on_B_through_the_mesh()
    {
        await using var mesh = new InMemoryMesh().Start();
        var (x, _) = await mesh.A.ConnectAsync();
        var (y, _) = await mesh.B.ConnectAsync();
        await Until(() => mesh.A.Server.IsHeldElsewhere(y.PublicKey) && mesh.B.Server.IsHeldElsewhere(x.PublicKey));

        await x.SendPacketAsync(y.PublicKey, "x to y"u8.ToArray());
        var atY = await y.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait);
        await y.SendPacketAsync(x.PublicKey, "y to x"u8.ToArray());
        var atX = await x.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait);

        Assert.Equal(x.PublicKey, atY!.Key);
        Assert.Equal("x to y"u8.ToArray(), atY.Data);
        Assert.Equal(y.PublicKey, atX!.Key);
        Assert.Equal("y to x"u8.ToArray(), atX.Data);
        Assert.Equal(1, mesh.A.Server.MeshMetrics.PacketsForwarded);
        Assert.Equal(1, mesh.B.Server.MeshMetrics.PacketsReceived);
        Assert.False(mesh.A.Server.IsConnected(y.PublicKey));
    }

    [Fact]
    public async Task A_client_that_leaves_B_is_forgotten_by_A()
    {
        await using var mesh = new InMemoryMesh().Start();
        var (y, yAccept) = await mesh.B.ConnectAsync();
        await Until(() => mesh.A.Server.IsHeldElsewhere(y.PublicKey));

        await y.DisposeAsync();
        Assert.Equal(DerpCloseReason.ClientClosed, await yAccept.WaitAsync(Wait));

        await Until(() => !mesh.A.Server.IsHeldElsewhere(y.PublicKey));
        Assert.Equal(0, mesh.A.Server.RemoteClients);
    }

    [Fact]
    public async Task Clients_connected_before_the_link_came_up_are_announced_when_it_does()
    {
        var mesh = new InMemoryMesh();
        await using (mesh)
        {
            var (y, _) = await mesh.B.ConnectAsync();
            Assert.False(mesh.A.Server.IsHeldElsewhere(y.PublicKey));

            mesh.Start();

            await Until(() => mesh.A.Server.IsHeldElsewhere(y.PublicKey));
            Assert.Equal(1, mesh.B.Server.MeshWatchers);
        }
    }

    [Fact]
    public async Task A_wrong_mesh_key_is_refused_and_the_link_never_comes_up()
    {
        await using var mesh = new InMemoryMesh(DerpMeshKey.Generate(), DerpMeshKey.Generate()).Start();
        var (y, _) = await mesh.B.ConnectAsync();

        await Until(() => mesh.B.Server.MeshMetrics.MeshKeyRejected >= 2 && mesh.AtoB.LastError is not null);

        Assert.Equal(DerpCloseReason.MeshKeyRejected, await mesh.ToB.Accepts[0].WaitAsync(Wait));
        Assert.False(mesh.AtoB.IsConnected);
        Assert.Equal(0, mesh.AtoB.Connections);
        Assert.Contains("mesh key", mesh.AtoB.LastError, StringComparison.Ordinal);
        Assert.False(mesh.A.Server.IsHeldElsewhere(y.PublicKey));
        Assert.Equal(0, mesh.B.Server.MeshWatchers);
    }

    [Fact]
    public async Task Forwarding_resumes_after_the_mesh_link_is_dropped_and_restored()
    {
        await using var mesh = new InMemoryMesh().Start();
        var (x, _) = await mesh.A.ConnectAsync();
        var (y, _) = await mesh.B.ConnectAsync();
        await Until(() => mesh.A.Server.IsHeldElsewhere(y.PublicKey));

        mesh.ToB.Refuse = true;
        mesh.ToB.DropLink();
        await Until(() => !mesh.AtoB.IsConnected && !mesh.A.Server.IsHeldElsewhere(y.PublicKey));
        await x.SendPacketAsync(y.PublicKey, "lost"u8.ToArray());

        mesh.ToB.Refuse = false;
        await Until(() => mesh.AtoB.Connections == 2 && mesh.A.Server.IsHeldElsewhere(y.PublicKey));
        await x.SendPacketAsync(y.PublicKey, "after"u8.ToArray());

        var atY = await y.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait);
        Assert.Equal("after"u8.ToArray(), atY!.Data);
        Assert.True(mesh.ToB.Dials >= 2);
    }

    [Fact]
    public async Task A_node_that_presents_a_mesh_key_is_refused_when_the_server_has_no_mesh()
    {
        await using var derp = new Relay.InMemoryDerp();
        var key = NodePrivate.Generate();
        ((Admission.AllowListDerpAdmission)derp.Admission).Add(key.Public);
        var (input, output, accept) = derp.Open();
        var client = TestKit.Derp.DerpTestClient.CreateRaw(input, output, key);
        _ = await client.ReadServerKeyAsync().WaitAsync(Wait);

        await client.SendClientInfoAsync(new DerpClientInfo { MeshKey = DerpMeshKey.Generate().Hex });

        Assert.Equal(DerpCloseReason.MeshKeyRejected, await accept.WaitAsync(Wait));
        Assert.Equal(1, derp.Server.MeshMetrics.MeshKeyRejected);
    }

    [Theory]
    [InlineData(DerpFrameType.WatchConns)]
    [InlineData(DerpFrameType.ForwardPacket)]
    [InlineData(DerpFrameType.ClosePeer)]
    public async Task A_node_without_the_mesh_key_is_cut_off_for_a_mesh_frame(DerpFrameType type)
    {
        var meshKey = DerpMeshKey.Generate();
        await using var derp = new Relay.InMemoryDerp(new DerpServerOptions { MeshKey = meshKey });
        var (node, accept) = await derp.ConnectAsync();

        await node.SendFrameAsync(type, new byte[type == DerpFrameType.WatchConns ? 0 : 96]);

        Assert.Equal(DerpCloseReason.ProtocolError, await accept.WaitAsync(Wait));
        Assert.Equal(0, derp.Server.MeshWatchers);
    }

    [Fact]
    public void Mesh_keys_parse_only_as_64_hex_characters_and_compare_by_value()
    {
        var key = DerpMeshKey.Generate();
        Assert.True(DerpMeshKey.TryParse(key.Hex + "\n", out var again));
        Assert.True(key.Matches(again!.Hex));
        Assert.True(key.Matches(key.Hex.ToUpperInvariant()));
        Assert.False(key.Matches(DerpMeshKey.Generate().Hex));
        Assert.False(DerpMeshKey.TryParse(key.Hex[..62], out _));
        Assert.False(DerpMeshKey.TryParse(new string('g', 64), out _));
        Assert.False(DerpMeshKey.TryParse(null, out _));
        Assert.False(key.Matches(""));
    }

    internal static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within " + Wait);
            await Task.Delay(20);
        }
    }
}
