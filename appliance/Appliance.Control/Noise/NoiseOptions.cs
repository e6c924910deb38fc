using System.Buffers;
using Appliance.Protocol.Noise;

namespace Appliance.Control.Noise;

/// <summary>Settings of the ts2021 transport (bound by <see cref="NoiseTransportExtensions.AddNoiseTransport(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{NoiseOptions})"/>).</summary>
public sealed class NoiseOptions
{
    /// <summary>The data folder; the server machine key lives at <c>&lt;DataDirectory&gt;/noise_private.key</c>.</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>Clients below this capability version are refused with a Noise error frame. Default 113 (v1.80, headscale's floor).</summary>
    public int MinimumCapabilityVersion { get; set; } = NoiseConstants.MinimumSupportedVersion;

    /// <summary>Request body limit for every request inside a Noise session (headscale caps at 1 MiB).</summary>
    public long MaxRequestBodySize { get; set; } = 1 << 20;

    /// <summary>Send the early payload (nodeKeyChallenge) after the handshake, as headscale does. The WebSocket path never sends it.</summary>
    public bool SendEarlyPayload { get; set; } = true;

    /// <summary>
    /// Tests only: the responder's ephemeral private key, so a recorded real-client session can be replayed byte for
    /// byte. Null (always in production) = a fresh random key per handshake.
    /// </summary>
    internal byte[]? ResponderEphemeralForTesting { get; set; }

    /// <summary>Tests only: where the session's pipes rent memory (null = <see cref="MemoryPool{T}.Shared"/>), to count it.</summary>
    internal MemoryPool<byte>? PipePoolForTesting { get; set; }

    /// <summary>Tests only: where the Noise records' buffers are rented (null = <see cref="ArrayPool{T}.Shared"/>).</summary>
    internal ArrayPool<byte>? RecordPoolForTesting { get; set; }

    public string KeyFilePath => Path.Combine(DataDirectory, NoiseServerKeyFile.FileName);
}
