using System.Buffers;
using Appliance.Protocol.Keys;
using Appliance.Protocol.Noise;

namespace Appliance.Protocol.Tests.Noise;

/// <summary>
/// Deterministic seeded mutation fuzzing of every parser of untrusted Noise bytes. The only acceptable outcomes are
/// success, "incomplete" (false) or <see cref="NoiseProtocolException"/>; any other exception is a bug.
/// </summary>
public sealed class NoiseFuzzTests
{
    private static readonly MachinePrivate ServerKey = MachinePrivate.FromRaw(Enumerable.Repeat((byte)0x42, 32).ToArray());
    private static readonly MachinePrivate ClientKey = MachinePrivate.FromRaw(Enumerable.Repeat((byte)0x17, 32).ToArray());

    [Fact]
    public void Mutated_initiations_are_refused_or_accepted_but_never_crash_the_responder()
    {
        var random = new Random(20261125);
        var seed = NoiseInitiator.Create(ClientKey, ServerKey.Public, 133, Enumerable.Repeat((byte)9, 32).ToArray()).Initiation.ToArray();
        var accepted = 0;
        for (var i = 0; i < 1500; i++)
        {
            var input = Mutate(random, seed);
            if (NoiseResponder.TryRespond(ServerKey, input, out var result, out var refusal))
            {
                accepted++;
                result!.Keys.Dispose();
                Assert.Equal(seed, input);
            }
            else
            {
                Assert.NotEqual(NoiseHandshakeRefusal.None, refusal);
            }
        }

        Assert.True(accepted < 1500);
    }

    [Fact]
    public void Mutated_record_streams_only_ever_fail_with_a_protocol_exception()
    {
        var random = new Random(4077);
        using var cipher = new NoiseCipherState(new byte[32]);
        var wire = new List<byte>();
        for (var i = 0; i < 5; i++)
        {
            var frame = new byte[NoiseCipherState.FrameSize(i * 300)];
            cipher.SealRecord(new byte[i * 300], frame);
            wire.AddRange(frame);
        }

        var seed = wire.ToArray();
        using var opener = new NoiseCipherState(new byte[32]);
        var plain = new byte[NoiseConstants.MaxPlaintextSize];
        for (var i = 0; i < 3000; i++)
        {
            var input = Mutate(random, seed);
            var buffer = random.Next(2) == 0 || input.Length < 2
                ? new ReadOnlySequence<byte>(input)
                : TestSequence.Split(input, random.Next(1, input.Length));
            try
            {
                opener.SetNonceForTesting(0);
                while (NoiseFrameReader.TryReadRecord(ref buffer, out var ciphertext))
                {
                    Assert.InRange(ciphertext.Length, NoiseConstants.TagSize, NoiseConstants.MaxCiphertextSize);
                    _ = opener.TryOpen(ciphertext.ToArray(), plain);
                }
            }
            catch (NoiseProtocolException)
            {
            }
        }
    }

    [Fact]
    public void Mutated_handshake_replies_and_early_payloads_only_ever_fail_with_a_protocol_exception()
    {
        var random = new Random(51);
        var initiator = NoiseInitiator.Create(ClientKey, ServerKey.Public, 133, Enumerable.Repeat((byte)3, 32).ToArray());
        Assert.True(NoiseResponder.TryRespond(ServerKey, initiator.Initiation.Span, out var accepted, out _, Enumerable.Repeat((byte)5, 32).ToArray()));
        accepted!.Keys.Dispose();
        var replySeed = accepted.Response.ToArray().Concat(NoiseErrorFrame.Create("refused")).ToArray();
        var earlySeed = EarlyNoise.Create(ChallengePublic.FromRaw(new byte[32]));

        var finished = 0;
        for (var i = 0; i < 2000; i++)
        {
            var reply = new ReadOnlySequence<byte>(Mutate(random, replySeed));
            try
            {
                while (NoiseFrameReader.TryReadHandshakeReply(ref reply, out var parsed))
                {
                    // Finishing costs a handshake; check every mutated response that still parses, up to a budget.
                    if (!parsed.IsError && finished++ < 300)
                    {
                        var fresh = NoiseInitiator.Create(ClientKey, ServerKey.Public, 133, Enumerable.Repeat((byte)3, 32).ToArray());
                        fresh.Finish(parsed.Response).Dispose();
                    }
                }
            }
            catch (NoiseProtocolException)
            {
            }

            var early = new ReadOnlySequence<byte>(Mutate(random, earlySeed));
            try
            {
                _ = EarlyNoise.TryRead(ref early, out _);
            }
            catch (NoiseProtocolException)
            {
            }
        }
    }

    private static byte[] Mutate(Random random, byte[] seed)
    {
        var data = new List<byte>(seed);
        var mutations = random.Next(1, 4);
        for (var m = 0; m < mutations; m++)
        {
            switch (random.Next(5))
            {
                case 0 when data.Count > 0:
                    data[random.Next(data.Count)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[random.Next(data.Count)] = (byte)random.Next(256);
                    break;
                case 2 when data.Count > 0:
                    data.RemoveRange(random.Next(data.Count), 1);
                    break;
                case 3:
                    data.Insert(random.Next(data.Count + 1), (byte)random.Next(256));
                    break;
                default:
                    if (data.Count > 0)
                    {
                        var keep = random.Next(data.Count);
                        data.RemoveRange(keep, data.Count - keep);
                    }

                    break;
            }
        }

        return data.ToArray();
    }
}
