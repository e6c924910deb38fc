using System.Buffers.Binary;
using Appliance.Protocol.Keys;

namespace Appliance.Protocol.Noise;

/// <summary>
/// The client side of the ts2021 handshake (control/controlbase/handshake.go ClientDeferred and
/// continueClientHandshake): builds the 101-byte initiation, then finishes with the server's 51-byte response.
/// For the C# test client and the load generator. One instance per connection attempt.
/// </summary>
public sealed class NoiseInitiator
{
    private readonly SymmetricState _state;
    private readonly X25519Key _machineKey;
    private readonly X25519Key _ephemeral;
    private readonly byte[] _initiation;
    private readonly ushort _version;
    private bool _finished;

    private NoiseInitiator(SymmetricState state, X25519Key machineKey, X25519Key ephemeral, byte[] initiation, ushort version)
    {
        _state = state;
        _machineKey = machineKey;
        _ephemeral = ephemeral;
        _initiation = initiation;
        _version = version;
    }

    /// <summary>The initiation to send (base64 in X-Tailscale-Handshake).</summary>
    public ReadOnlyMemory<byte> Initiation => _initiation;

    /// <param name="ephemeralPrivate">Only for test vectors: the initiator's ephemeral private key. Empty = random.</param>
    public static NoiseInitiator Create(MachinePrivate machineKey, MachinePublic serverKey, ushort version, ReadOnlySpan<byte> ephemeralPrivate = default)
    {
        ArgumentNullException.ThrowIfNull(machineKey);
        var state = SymmetricState.ForVersion(version, serverKey.Raw);
        var ephemeral = X25519Key.ImportOrGenerate(ephemeralPrivate);
        var machine = X25519Key.Import(machineKey.Raw);

        var init = new byte[NoiseConstants.InitiationSize];
        BinaryPrimitives.WriteUInt16BigEndian(init, version);
        init[NoiseInitiation.TypeOffset] = (byte)NoiseMessageType.Initiation;
        BinaryPrimitives.WriteUInt16BigEndian(init.AsSpan(NoiseInitiation.LengthOffset), NoiseConstants.InitiationPayloadLength);

        // -> e, es, s, ss (empty payload)
        if (!IkHandshake.WriteA(state, ephemeral, machine, serverKey.Raw, ReadOnlySpan<byte>.Empty, init.AsSpan(NoiseInitiation.EphemeralOffset)))
        {
            ephemeral.Dispose();
            machine.Dispose();
            throw new ArgumentException("the server key is not a usable X25519 public key", nameof(serverKey));
        }

        return new NoiseInitiator(state, machine, ephemeral, init, version);
    }

    /// <summary>
    /// Finishes with the server's 51-byte response frame. Throws <see cref="NoiseProtocolException"/> if the
    /// response is malformed or does not authenticate: from the client's side that is the server misbehaving.
    /// </summary>
    public NoiseSessionKeys Finish(ReadOnlySpan<byte> response)
    {
        if (_finished)
        {
            throw new InvalidOperationException("the handshake already finished");
        }

        _finished = true;
        using var ephemeral = _ephemeral;
        using var machine = _machineKey;
        if (response.Length != NoiseConstants.ResponseSize
            || response[0] != (byte)NoiseMessageType.Response
            || BinaryPrimitives.ReadUInt16BigEndian(response[1..]) != NoiseConstants.ResponsePayloadLength)
        {
            throw new NoiseProtocolException("malformed handshake response");
        }

        // <- e, ee, se (empty payload)
        if (!IkHandshake.ReadB(_state, ephemeral, machine, response[NoiseConstants.HeaderLength..], Span<byte>.Empty))
        {
            throw new NoiseProtocolException("handshake response did not authenticate");
        }

        var hash = _state.HandshakeHash.ToArray();
        Span<byte> k1 = stackalloc byte[NoiseConstants.KeySize];
        Span<byte> k2 = stackalloc byte[NoiseConstants.KeySize];
        _state.Split(k1, k2);
        return new NoiseSessionKeys(send: new NoiseCipherState(k1), receive: new NoiseCipherState(k2), hash, _version);
    }
}
