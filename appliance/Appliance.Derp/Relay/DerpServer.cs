using System.Collections.Concurrent;
using System.Text;
using Appliance.Derp.Admission;
using Appliance.Protocol.Keys;

namespace Appliance.Derp.Relay;

/// <summary>
/// The DERP relay (tailscale derp/derpserver/derpserver.go). Transport-agnostic: Hosting performs the HTTP upgrade and
/// hands each connection in as an <see cref="System.IO.Pipelines.IDuplexPipe"/> through <see cref="AcceptAsync"/>.
/// One server per process; split by concern: .Accept (handshake), .Registry (who is connected), .Lifecycle
/// (heartbeat, health, disconnect, shutdown).
/// </summary>
public sealed partial class DerpServer : IAsyncDisposable
{
    private readonly NodePrivate _privateKey;
    private readonly IDerpAdmission _admission;
    private readonly ITimer _heartbeat;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<DerpConnection, byte> _connections = new();
    private byte[] _healthProblem = [];
    private int _stopped;

    public DerpServer(NodePrivate privateKey, IDerpAdmission admission, DerpServerOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        ArgumentNullException.ThrowIfNull(admission);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        _privateKey = privateKey;
        _admission = admission;
        Options = options;
        TimeProvider = timeProvider;
        PublicKey = privateKey.Public;
        _heartbeat = timeProvider.CreateTimer(static state => ((DerpServer)state!).RunHeartbeat(), this, options.HeartbeatPeriod, options.HeartbeatPeriod);
    }

    /// <summary>The server's DERP identity, sent in ServerKey and the Derp-Public-Key header.</summary>
    public NodePublic PublicKey { get; }

    public DerpMetrics Metrics { get; } = new();

    /// <summary>
    /// Batch buffers for every connection's send queue. At most 1,024 blocks (64 MiB) are kept, which only a relay
    /// with that much queued at once ever reaches; idle blocks are let go on the heartbeat.
    /// </summary>
    internal RelayBufferPool Buffers { get; } = new(capacity: 1024);

    public DerpServerOptions Options { get; }

    public TimeProvider TimeProvider { get; }

    /// <summary>True when a new connection would be refused; Hosting answers 503 before upgrading.</summary>
    public bool IsAtCapacity =>
        Metrics.ConnectionsCurrent >= Options.MaxConnections || Metrics.ConnectionsHandshaking >= Options.MaxPendingHandshakes;

    public bool IsStopping => Volatile.Read(ref _stopped) != 0;

    /// <summary>
    /// Sets the Health text every client is sent (empty or null = healthy). New clients get it after ServerInfo.
    /// </summary>
    public void SetHealth(string? problem)
    {
        var bytes = Encoding.UTF8.GetBytes(problem ?? string.Empty);
        if (bytes.Length > Protocol.Derp.DerpConstants.MaxHealthLength)
        {
            bytes = bytes[..Protocol.Derp.DerpConstants.MaxHealthLength];
        }

        Volatile.Write(ref _healthProblem, bytes);
        foreach (var connection in _connections.Keys)
        {
            _ = connection.TryEnqueueHealth(bytes);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ShutdownAsync().ConfigureAwait(false);
        await _heartbeat.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
