using Appliance.Protocol.Keys;
using Appliance.Protocol.Noise;

namespace Appliance.Protocol.Tests.Noise;

public sealed class NoiseHandshakeTests
{
    private static readonly MachinePrivate ServerKey = MachinePrivate.Generate();
    private static readonly MachinePrivate ClientKey = MachinePrivate.Generate();

    [Fact]
    public void Initiator_and_responder_agree_on_keys_identity_and_version()
    {
        var initiator = NoiseInitiator.Create(ClientKey, ServerKey.Public, 142);
        Assert.Equal(NoiseConstants.InitiationSize, initiator.Initiation.Length);
        Assert.Equal(new byte[] { 0x00, 0x8E, 0x01, 0x00, 0x60 }, initiator.Initiation[..5].ToArray());

        Assert.True(NoiseResponder.TryRespond(ServerKey, initiator.Initiation.Span, out var accepted, out _));
        Assert.Equal(ClientKey.Public, accepted!.ClientMachineKey);
        Assert.Equal(142, accepted.Version);
        Assert.Equal(NoiseConstants.ResponseSize, accepted.Response.Length);

        using var server = accepted.Keys;
        using var client = initiator.Finish(accepted.Response.Span);
        Assert.Equal(server.HandshakeHash.ToArray(), client.HandshakeHash.ToArray());

        var frame = new byte[100];
        var n = client.Send.SealRecord("hello"u8, frame);
        var plain = new byte[5];
        Assert.True(server.Receive.TryOpen(frame.AsSpan(3, n - 3), plain));
        Assert.Equal("hello"u8.ToArray(), plain);

        n = server.Send.SealRecord("world"u8, frame);
        Assert.True(client.Receive.TryOpen(frame.AsSpan(3, n - 3), plain));
        Assert.Equal("world"u8.ToArray(), plain);
    }

    [Fact]
    public void Flipping_any_byte_of_the_initiation_makes_the_responder_refuse_it()
    {
        var initiation = NoiseInitiator.Create(ClientKey, ServerKey.Public, 133).Initiation.ToArray();
        for (var i = 0; i < initiation.Length; i++)
        {
            foreach (var mask in new byte[] { (byte)(1 << (i % 8)) })
            {
                var tampered = (byte[])initiation.Clone();
                tampered[i] ^= mask;
                var ok = NoiseResponder.TryRespond(ServerKey, tampered, out var accepted, out var refusal);
                Assert.False(ok, $"byte {i} ^ {mask:x2} was accepted");
                Assert.Null(accepted);
                Assert.NotEqual(NoiseHandshakeRefusal.None, refusal);
            }
        }
    }

    [Theory]
    [InlineData(2, NoiseHandshakeRefusal.UnexpectedType)]
    [InlineData(3, NoiseHandshakeRefusal.WrongLength)]
    [InlineData(10, NoiseHandshakeRefusal.DecryptFailed)]
    [InlineData(50, NoiseHandshakeRefusal.DecryptFailed)]
    [InlineData(100, NoiseHandshakeRefusal.DecryptFailed)]
    public void Tampering_is_reported_with_the_reason_upstream_gives(int index, NoiseHandshakeRefusal expected)
    {
        var tampered = NoiseInitiator.Create(ClientKey, ServerKey.Public, 133).Initiation.ToArray();
        tampered[index] ^= 0x01;
        Assert.False(NoiseResponder.TryRespond(ServerKey, tampered, out _, out var refusal));
        Assert.Equal(expected, refusal);
    }

    [Fact]
    public void An_initiation_for_another_server_key_is_refused()
    {
        var initiation = NoiseInitiator.Create(ClientKey, MachinePrivate.Generate().Public, 133).Initiation;
        Assert.False(NoiseResponder.TryRespond(ServerKey, initiation.Span, out _, out var refusal));
        Assert.Equal(NoiseHandshakeRefusal.DecryptFailed, refusal);
    }

    [Fact]
    public void Every_truncation_and_extension_of_the_initiation_is_the_wrong_size()
    {
        var initiation = NoiseInitiator.Create(ClientKey, ServerKey.Public, 133).Initiation.ToArray();
        for (var length = 0; length < initiation.Length; length++)
        {
            Assert.False(NoiseResponder.TryRespond(ServerKey, initiation.AsSpan(0, length), out _, out var refusal));
            Assert.Equal(NoiseHandshakeRefusal.WrongSize, refusal);
        }

        var longer = initiation.Concat(new byte[] { 0 }).ToArray();
        Assert.False(NoiseResponder.TryRespond(ServerKey, longer, out _, out var tooLong));
        Assert.Equal(NoiseHandshakeRefusal.WrongSize, tooLong);
    }

    [Fact]
    public void Flipping_any_byte_of_the_response_makes_the_initiator_fail()
    {
        var seed = NoiseInitiator.Create(ClientKey, ServerKey.Public, 133);
        Assert.True(NoiseResponder.TryRespond(ServerKey, seed.Initiation.Span, out var accepted, out _));
        accepted!.Keys.Dispose();
        var response = accepted.Response.ToArray();
        for (var i = 0; i < response.Length; i++)
        {
            // A fresh initiator for each attempt: Finish may run once.
            var ephemeral = new byte[32];
            ephemeral[0] = 1;
            var initiator = NoiseInitiator.Create(ClientKey, ServerKey.Public, 133, ephemeral);
            Assert.True(NoiseResponder.TryRespond(ServerKey, initiator.Initiation.Span, out var fresh, out _));
            fresh!.Keys.Dispose();
            var tampered = fresh.Response.ToArray();
            tampered[i] ^= 0x01;
            Assert.Throws<NoiseProtocolException>(() => initiator.Finish(tampered));
        }
    }

    [Fact]
    public void A_random_responder_ephemeral_gives_a_different_response_each_time()
    {
        var initiation = NoiseInitiator.Create(ClientKey, ServerKey.Public, 133).Initiation;
        Assert.True(NoiseResponder.TryRespond(ServerKey, initiation.Span, out var a, out _));
        Assert.True(NoiseResponder.TryRespond(ServerKey, initiation.Span, out var b, out _));
        a!.Keys.Dispose();
        b!.Keys.Dispose();
        Assert.NotEqual(a.Response.ToArray(), b.Response.ToArray());
    }

    [Fact]
    public void Refusals_send_upstreams_fixed_error_texts_and_none_for_failed_decryption()
    {
        Assert.Equal("wrong handshake initiation size", NoiseHandshakeRefusal.WrongSize.ErrorFrameText());
        Assert.Equal("unexpected handshake message type", NoiseHandshakeRefusal.UnexpectedType.ErrorFrameText());
        Assert.Equal("wrong handshake initiation length", NoiseHandshakeRefusal.WrongLength.ErrorFrameText());
        Assert.Null(NoiseHandshakeRefusal.DecryptFailed.ErrorFrameText());

        var frame = NoiseErrorFrame.Create("unsupported client version");
        Assert.Equal(0x03, frame[0]);
        Assert.Equal(26, (frame[1] << 8) | frame[2]);
    }
}
