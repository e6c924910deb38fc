using Appliance.Protocol.Keys;
using Appliance.Protocol.Noise;

namespace Appliance.Protocol.Tests.Noise;

/// <summary>
/// The responder and initiator against byte-exact recordings of a real client (see the README in
/// ../shared/conformance/real-client/noise): same keys in, same bytes out, every record both ways.
/// </summary>
public sealed class RealClientRecordingTests
{
    [Theory]
    [MemberData(nameof(RealClientNoiseSession.Names), MemberType = typeof(RealClientNoiseSession))]
    public void Responder_seeded_with_the_recorded_keys_reproduces_the_recorded_response(string name)
    {
        var session = RealClientNoiseSession.Load(name);
        var serverKey = MachinePrivate.FromRaw(session.Hex("server_static_private"));

        var ok = NoiseResponder.TryRespond(serverKey, session.Hex("initiation"), out var accepted, out var refusal, session.Hex("server_ephemeral_private"));

        Assert.True(ok, refusal.ToString());
        Assert.Equal(session.Hex("response"), accepted!.Response.ToArray());
        Assert.Equal(MachinePublic.FromRaw(session.Hex("client_machine_public")), accepted.ClientMachineKey);
        Assert.Equal(session.Root.GetProperty("protocol_version").GetInt32(), accepted.Version);
        Assert.Equal(RealClientNoiseSession.Hex(session.Root.GetProperty("derived"), "handshake_hash"), accepted.Keys.HandshakeHash.ToArray());
        accepted.Keys.Dispose();
    }

    [Theory]
    [MemberData(nameof(RealClientNoiseSession.Names), MemberType = typeof(RealClientNoiseSession))]
    public void Responder_session_opens_and_reseals_every_recorded_record_in_both_directions(string name)
    {
        var session = RealClientNoiseSession.Load(name);
        var serverKey = MachinePrivate.FromRaw(session.Hex("server_static_private"));
        Assert.True(NoiseResponder.TryRespond(serverKey, session.Hex("initiation"), out var accepted, out _, session.Hex("server_ephemeral_private")));
        using var keys = accepted!.Keys;

        // The recording's client→server records are what the server receives; to check sealing as well, a second
        // cipher with the same key seals the plaintext and must reproduce the frame byte for byte.
        var derived = session.Root.GetProperty("derived");
        using var c2sSealer = new NoiseCipherState(RealClientNoiseSession.Hex(derived, "client_to_server_key"));
        using var s2cOpener = new NoiseCipherState(RealClientNoiseSession.Hex(derived, "server_to_client_key"));

        var counts = new Dictionary<string, int>();
        foreach (var record in session.Root.GetProperty("records").EnumerateArray())
        {
            var dir = record.GetProperty("dir").GetString()!;
            var frame = RealClientNoiseSession.Hex(record, "frame");
            var plaintext = RealClientNoiseSession.Hex(record, "plaintext");
            var sealedFrame = new byte[NoiseCipherState.FrameSize(plaintext.Length)];
            var opened = new byte[plaintext.Length];
            if (dir == "c2s")
            {
                Assert.True(keys.Receive.TryOpen(frame.AsSpan(3), opened), $"c2s record {record.GetProperty("seq")}");
                c2sSealer.SealRecord(plaintext, sealedFrame);
            }
            else
            {
                keys.Send.SealRecord(plaintext, sealedFrame);
                Assert.True(s2cOpener.TryOpen(frame.AsSpan(3), opened), $"s2c record {record.GetProperty("seq")}");
            }

            Assert.Equal(plaintext, opened);
            Assert.Equal(frame, sealedFrame);
            counts[dir] = counts.GetValueOrDefault(dir) + 1;
        }

        Assert.True(counts["c2s"] > 10 && counts["s2c"] > 10);
    }

    [Theory]
    [MemberData(nameof(RealClientNoiseSession.Names), MemberType = typeof(RealClientNoiseSession))]
    public void Initiator_seeded_with_the_recorded_keys_reproduces_the_initiation_sent_to_headscale(string name)
    {
        var session = RealClientNoiseSession.Load(name);
        var upstream = session.Root.GetProperty("upstream");
        var machineKey = MachinePrivate.FromRaw(RealClientNoiseSession.Hex(upstream, "client_machine_private"));
        var serverKey = MachinePublic.FromRaw(RealClientNoiseSession.Hex(upstream, "server_static_public"));
        var version = (ushort)session.Root.GetProperty("protocol_version").GetInt32();

        var initiator = NoiseInitiator.Create(machineKey, serverKey, version, RealClientNoiseSession.Hex(upstream, "initiator_ephemeral_private"));

        Assert.Equal(RealClientNoiseSession.Hex(upstream, "initiation"), initiator.Initiation.ToArray());
        using var keys = initiator.Finish(RealClientNoiseSession.Hex(upstream, "response"));
        var derived = upstream.GetProperty("derived");
        Assert.Equal(RealClientNoiseSession.Hex(derived, "handshake_hash"), keys.HandshakeHash.ToArray());
    }

    [Theory]
    [MemberData(nameof(RealClientNoiseSession.Names), MemberType = typeof(RealClientNoiseSession))]
    public void Initiator_session_with_headscale_seals_and_opens_every_upstream_record(string name)
    {
        var session = RealClientNoiseSession.Load(name);
        var upstream = session.Root.GetProperty("upstream");
        var machineKey = MachinePrivate.FromRaw(RealClientNoiseSession.Hex(upstream, "client_machine_private"));
        var serverKey = MachinePublic.FromRaw(RealClientNoiseSession.Hex(upstream, "server_static_public"));
        var version = (ushort)session.Root.GetProperty("protocol_version").GetInt32();
        var initiator = NoiseInitiator.Create(machineKey, serverKey, version, RealClientNoiseSession.Hex(upstream, "initiator_ephemeral_private"));
        using var keys = initiator.Finish(RealClientNoiseSession.Hex(upstream, "response"));

        // Relaying was 1:1: upstream record seq N carries the plaintext of client-leg record seq N.
        var plaintexts = session.Root.GetProperty("records").EnumerateArray()
            .ToDictionary(r => r.GetProperty("seq").GetInt32(), r => RealClientNoiseSession.Hex(r, "plaintext"));
        var checkedRecords = 0;
        foreach (var record in upstream.GetProperty("records").EnumerateArray())
        {
            var frame = RealClientNoiseSession.Hex(record, "frame");
            var plaintext = plaintexts[record.GetProperty("seq").GetInt32()];
            if (record.GetProperty("dir").GetString() == "c2s")
            {
                var sealedFrame = new byte[NoiseCipherState.FrameSize(plaintext.Length)];
                keys.Send.SealRecord(plaintext, sealedFrame);
                Assert.Equal(frame, sealedFrame);
            }
            else
            {
                var opened = new byte[frame.Length - 3 - NoiseConstants.TagSize];
                Assert.True(keys.Receive.TryOpen(frame.AsSpan(3), opened));
                Assert.Equal(plaintext, opened);
            }

            checkedRecords++;
        }

        Assert.True(checkedRecords > 20);
    }

    [Theory]
    [MemberData(nameof(RealClientNoiseSession.Names), MemberType = typeof(RealClientNoiseSession))]
    public void Recorded_prologue_text_is_what_the_version_produces(string name)
    {
        var session = RealClientNoiseSession.Load(name);
        var version = (ushort)session.Root.GetProperty("protocol_version").GetInt32();
        Assert.Equal(session.Root.GetProperty("prologue_text").GetString(), NoiseConstants.Prologue(version));
        Assert.True(NoiseInitiation.TryReadVersion(session.Hex("initiation"), out var fromHeader));
        Assert.Equal(version, fromHeader);
    }
}
