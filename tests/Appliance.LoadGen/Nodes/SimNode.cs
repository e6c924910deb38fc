using System.Diagnostics;
using System.Net;
using Appliance.LoadGen.Measure;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.TestKit.Control;
using Appliance.TestKit.Noise;

namespace Appliance.LoadGen.Nodes;

/// <summary>
/// One simulated node: its own machine key and Noise session (one HTTP/2 connection, as tailscaled keeps), registered
/// with the pre-auth key through TestKit's <see cref="TestNode"/>, then a long poll kept open. Subclasses decide how
/// much of the netmap to hold: <see cref="FullNode"/> the whole peer table, <see cref="LightNode"/> only peer IDs.
/// </summary>
internal abstract class SimNode : IAsyncDisposable
{
    private NoiseControlClient? _noise;

    protected SimNode(int index, string hostname, ProbeBoard probes)
    {
        Index = index;
        Hostname = hostname;
        Probes = probes;
    }

    public int Index { get; }

    public string Hostname { get; }

    protected ProbeBoard Probes { get; }

    public TestNode Client { get; private set; } = null!;

    protected HttpClient Http => _noise!.Http;

    /// <summary>The node key as peers see it in <c>Node.Key</c> (tailcfg's "nodekey:…" text form).</summary>
    public string NodeKeyText => Client.NodeKey.Public.ToString();

    public abstract int PeerCount { get; }

    /// <summary>The ID the server gave this node (from its first map's <c>Node</c>), 0 until then or for light nodes.</summary>
    public abstract long NodeId { get; }

    public abstract bool StreamEnded { get; }

    /// <summary>Why the stream failed or ended, if it did.</summary>
    public abstract string? StreamError { get; }

    /// <summary>Noise handshake (ts2021 upgrade); returns how long it took.</summary>
    public async Task<TimeSpan> ConnectAsync(Uri control, MachinePublic serverKey, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        _noise = await NoiseControlClient.ConnectAsync(control, MachinePrivate.Generate(), serverKey, CapabilityVersion.TestClient, cancellationToken).ConfigureAwait(false);
        Client = new TestNode(_noise.Http, _noise.MachineKey, Hostname) { KeepRawMessages = false, MaxMapBytes = 256 << 20 };
        OnClientCreated(Client);
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary><c>POST /machine/register</c> with the pre-auth key; returns the latency, or throws with the server's answer.</summary>
    public async Task<TimeSpan> RegisterAsync(string authKey)
    {
        var started = Stopwatch.GetTimestamp();
        var (status, response, text) = await Client.RegisterAsync(authKey).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (status != HttpStatusCode.OK || response is null || !response.MachineAuthorized || !string.IsNullOrEmpty(response.Error))
        {
            throw new InvalidOperationException($"register {Hostname}: HTTP {(int)status}, authorized={response?.MachineAuthorized}, error={response?.Error ?? text}");
        }

        return elapsed;
    }

    /// <summary>Opens the long poll; returns once the server answered the request head.</summary>
    public abstract Task StartStreamAsync();

    /// <summary>A lite map update with new endpoints (what tailscaled sends when its endpoints change).</summary>
    public async Task SendEndpointsAsync(string endpoint)
    {
        var status = await Client.SendLiteUpdateAsync([endpoint]).ConfigureAwait(false);
        if (status != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"endpoint update from {Hostname}: HTTP {(int)status}");
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (Client is not null)
        {
            await Client.DisposeAsync().ConfigureAwait(false);
        }

        if (_noise is not null)
        {
            await _noise.DisposeAsync().ConfigureAwait(false);
        }
    }

    protected virtual void OnClientCreated(TestNode client)
    {
    }
}
