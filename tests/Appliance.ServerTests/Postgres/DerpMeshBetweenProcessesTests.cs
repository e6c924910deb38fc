using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Channels;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;
using Appliance.TestKit.Derp;
using Appliance.TestKit.Postgres;
using Xunit.Abstractions;

namespace Appliance.ServerTests.Postgres;

/// <summary>
/// Issue 17: the DERP mesh between two `appliance serve` processes, set up as docs/ops/derp-mesh.md says: ports chosen
/// up front, each instance's local CA made with `ca init` and exported, both roots in each one's
/// <c>derp.mesh_ca_file</c>, the mesh key file made by A's first start and copied to B, each instance's
/// <c>derp.mesh_peers</c> naming the other's HTTPS listener. Client x is homed on A's relay and y on B's (DERP over
/// TLS); packets go x→y and y→x through the mesh. B is killed: A forgets y (a disco packet for y is answered
/// PeerGone "not here" instead of being forwarded). B comes back: the links and y return and packets flow both ways.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class DerpMeshBetweenProcessesTests(PostgresCluster cluster, ITestOutputHelper output) : IClassFixture<PostgresCluster>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Two_serve_processes_relay_both_ways_through_the_mesh_and_recover_after_one_is_killed()
    {
        await using var ha = new SharedDatabaseInstances(cluster, "mesh");
        var a = ha.Prepare("a");
        var b = ha.Prepare("b");
        var roots = ha.Temp.Combine("mesh-roots.pem");
        foreach (var instance in new[] { a, b })
        {
            var init = await ha.Cli("ca", "init", "--data-dir", instance.Data);
            Assert.True(init.Code == 0, init.Out + init.Err);
            var pem = ha.Temp.Combine(instance.Name + "-root.pem");
            var export = await ha.Cli("ca", "export", "--out", pem, "--data-dir", instance.Data);
            Assert.True(export.Code == 0, export.Out + export.Err);
            await File.AppendAllTextAsync(roots, await File.ReadAllTextAsync(pem));
        }

        Mesh(a, peer: b, roots);
        Mesh(b, peer: a, roots);
        await ha.StartAsync(a);
        File.Copy(a.Extra["APPLIANCE_DERP_MESH_KEY_FILE"], b.Extra["APPLIANCE_DERP_MESH_KEY_FILE"]);
        File.SetUnixFileMode(b.Extra["APPLIANCE_DERP_MESH_KEY_FILE"], UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await ha.StartAsync(b);

        var key = await ha.PreAuthKeyAsync(a);
        var x = await ha.JoinAsync(a, key, "x");
        var y = await ha.JoinAsync(b, key, "y");
        await using var xDerp = await DerpInbox.ConnectAsync(a, x.Node.NodeKey, roots);
        var yDerp = await DerpInbox.ConnectAsync(b, y.Node.NodeKey, roots);

        var clock = Stopwatch.StartNew();
        await Delivered(xDerp, yDerp, "a to b");
        output.WriteLine($"mesh up: first packet A→B delivered {clock.Elapsed.TotalMilliseconds:0} ms after both clients connected");
        await Delivered(yDerp, xDerp, "b to a");

        // While B lives, a disco packet for y goes through the mesh like any other, and nobody says "not here".
        await xDerp.Client.SendPacketAsync(y.Node.NodeKey.Public, Disco());
        Assert.NotNull(await yDerp.NextAsync(f => f.Type == DerpFrameType.RecvPacket && f.Data.AsSpan().SequenceEqual(Disco()), Wait));
        Assert.Null(await xDerp.NextAsync(f => f.Type == DerpFrameType.PeerGone, TimeSpan.FromSeconds(1)));

        // B dies. A's link to it drops and A forgets the clients homed there: a disco packet for y is now answered
        // "not here" (derpserver.go's PeerGoneReasonNotHere) instead of being forwarded into the mesh.
        var bPid = b.Process!.Id;
        await SharedDatabaseInstances.KillAsync(b);
        await yDerp.DisposeAsync();
        clock.Restart();
        await NotHere(xDerp, y.Node.NodeKey.Public);
        output.WriteLine($"B (pid {bPid}) killed: A answered 'not here' for y after {clock.Elapsed.TotalMilliseconds:0} ms");

        // B comes back on the same ports and data; y reconnects to it; the links (250 ms backoff doubling to 10 s) return.
        clock.Restart();
        await ha.StartAsync(b);
        await using var yAgain = await DerpInbox.ConnectAsync(b, y.Node.NodeKey, roots);
        await Delivered(xDerp, yAgain, "a to b again");
        await Delivered(yAgain, xDerp, "b to a again");
        output.WriteLine($"B restarted: packets flow both ways {clock.Elapsed.TotalMilliseconds:0} ms after the restart began");
    }

    /// <summary>docs/ops/derp-mesh.md's settings for <paramref name="instance"/>, as environment variables.</summary>
    private static void Mesh(ServeInstance instance, ServeInstance peer, string roots)
    {
        instance.Extra["APPLIANCE_DERP_MESH_KEY_FILE"] = Path.Combine(instance.Data, "derp_mesh.key");
        instance.Extra["APPLIANCE_DERP_MESH_PEERS"] = $"https://127.0.0.1:{peer.HttpsPort}";
        instance.Extra["APPLIANCE_DERP_MESH_CA_FILE"] = roots;
    }

    /// <summary>Sends from <paramref name="from"/> to <paramref name="to"/> until one arrives (the links come up with backoff).</summary>
    private static async Task Delivered(DerpInbox from, DerpInbox to, string text)
    {
        var deadline = DateTime.UtcNow + Wait;
        for (var attempt = 0; DateTime.UtcNow < deadline; attempt++)
        {
            var payload = Encoding.ASCII.GetBytes($"{text} #{attempt}");
            await from.Client.SendPacketAsync(to.Client.PublicKey, payload);
            if (await to.NextAsync(f => f.Type == DerpFrameType.RecvPacket && f.Data.AsSpan().SequenceEqual(payload), TimeSpan.FromMilliseconds(500)) is { } frame)
            {
                Assert.Equal(from.Client.PublicKey, frame.Key);
                return;
            }
        }

        Assert.Fail($"'{text}' never arrived within {Wait}");
    }

    /// <summary>Sends disco-shaped packets to <paramref name="peer"/> until the relay says it is not here.</summary>
    private static async Task NotHere(DerpInbox from, NodePublic peer)
    {
        var disco = Disco();
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            await from.Client.SendPacketAsync(peer, disco);
            if (await from.NextAsync(f => f.Type == DerpFrameType.PeerGone && f.Key.Equals(peer) && f.PeerGoneReason == DerpPeerGoneReason.NotHere, TimeSpan.FromMilliseconds(1100)) is not null)
            {
                return;
            }
        }

        Assert.Fail($"A kept forwarding to {peer} for {Wait} after its instance died");
    }

    /// <summary>A packet shaped like a disco message (magic, sender key, nonce, box): the kind a relay answers "not here" for.</summary>
    private static byte[] Disco()
    {
        var disco = new byte[DerpConstants.DiscoMagic.Length + DerpConstants.KeyLength + DerpConstants.NonceLength + 16];
        DerpConstants.DiscoMagic.CopyTo(disco);
        return disco;
    }

    /// <summary>A DERP client over TLS whose frames a background loop reads into a queue (reads are never cancelled).</summary>
    private sealed class DerpInbox : IAsyncDisposable
    {
        private readonly Channel<DerpTestFrame> _frames = Channel.CreateUnbounded<DerpTestFrame>();
        private readonly Task _reading;

        private DerpInbox(DerpTestClient client)
        {
            Client = client;
            _reading = Task.Run(ReadAsync);
        }

        public DerpTestClient Client { get; }

        public static async Task<DerpInbox> ConnectAsync(ServeInstance instance, NodePrivate key, string roots)
        {
            var leaf = await ServedCertificateAsync(instance.Https, roots);
            return new DerpInbox(await DerpHttpConnector.ConnectAsync(instance.Https, key, "127.0.0.1", leaf));
        }

        /// <summary>The next frame matching <paramref name="match"/> within <paramref name="timeout"/> (others are dropped), or null.</summary>
        public async Task<DerpTestFrame?> NextAsync(Func<DerpTestFrame, bool> match, TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                while (true)
                {
                    var frame = await _frames.Reader.ReadAsync(cts.Token);
                    if (match(frame))
                    {
                        return frame;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (ChannelClosedException)
            {
                return null;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await _reading;
        }

        private async Task ReadAsync()
        {
            try
            {
                while (await Client.ReceiveAsync() is { } frame)
                {
                    _frames.Writer.TryWrite(frame);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
            {
                // The relay went away (killed) or the client was disposed: no more frames.
            }
            finally
            {
                _frames.Writer.TryComplete();
            }
        }

        /// <summary>
        /// The leaf certificate the instance's HTTPS listener presents, checked to chain to one of the exported local-CA
        /// roots in <paramref name="roots"/>, to pin the DERP client to.
        /// </summary>
        private static async Task<X509Certificate2> ServedCertificateAsync(IPEndPoint endpoint, string roots)
        {
            var trusted = new X509Certificate2Collection();
            trusted.ImportFromPemFile(roots);
            using var tcp = new TcpClient(AddressFamily.InterNetwork);
            await tcp.ConnectAsync(endpoint);
            X509Certificate2? served = null;
            await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, chain, _) =>
            {
                if (certificate is null)
                {
                    return false;
                }

                var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                using var custom = new X509Chain();
                custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                custom.ChainPolicy.CustomTrustStore.AddRange(trusted);
                custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                if (chain is not null)
                {
                    foreach (var element in chain.ChainElements)
                    {
                        custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                    }
                }

                served = leaf;
                return custom.Build(leaf);
            });
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "127.0.0.1" });
            return served ?? throw new InvalidOperationException("no certificate presented");
        }
    }
}
