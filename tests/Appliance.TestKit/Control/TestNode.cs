using System.Net;
using System.Net.Http.Headers;
using System.Threading.Channels;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;

namespace Appliance.TestKit.Control;

/// <summary>
/// A typed control client that behaves like tailscaled v1.96.5 (capver 133): registers with
/// <c>POST /machine/register</c>, opens the long poll (<c>Stream:true, Compress:"zstd", KeepAlive:true</c>), sends lite
/// updates (<c>OmitPeers:true</c>), and keeps its netmap from the framed stream by the client's rules
/// (control/controlclient/map.go): Peers replaces only when non-empty, PeersChanged replaces whole nodes,
/// PeersRemoved removes, PeersChangedPatch and OnlineChange patch. The transport is an <see cref="HttpClient"/>
/// speaking HTTP/2: over the Noise transport in production tests, or plain h2c with a test machine-key header.
/// </summary>
public sealed class TestNode : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly PeerTable _table = new();
    private readonly Dictionary<string, IReadOnlyList<FilterRule>> _filters = new(StringComparer.Ordinal);
    // A wake-up signal for WaitUntilAsync, not a queue: one pending item is enough, so nothing piles up on a node nobody waits on.
    private readonly Channel<bool> _received = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Lock _lock = new();
    private readonly List<byte[]> _rawMessages = [];
    private CancellationTokenSource? _poll;
    private Task? _pollTask;

    public TestNode(HttpClient http, MachinePublic machine, string hostname)
    {
        _http = http;
        Machine = machine;
        Hostname = hostname;
    }

    /// <summary>The same node on a new connection (a client that lost its server and reconnects through another one).</summary>
    public TestNode(HttpClient http, MachinePublic machine, string hostname, NodePrivate nodeKey)
        : this(http, machine, hostname)
    {
        NodeKey = nodeKey;
    }

    public MachinePublic Machine { get; }

    public NodePrivate NodeKey { get; private set; } = NodePrivate.Generate();

    public DiscoPublic DiscoKey { get; set; } = DiscoPublic.FromRaw(NodePrivate.Generate().Public.Raw);

    public string Hostname { get; }

    public int Version { get; set; } = CapabilityVersion.TestClient;

    public Node? Self
    {
        get
        {
            lock (_lock)
            {
                return _table.Self;
            }
        }
    }

    /// <summary>The peers as the client would hold them now, keyed by node ID.</summary>
    public IReadOnlyDictionary<long, Node> Peers
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<long, Node>(_table.Peers);
            }
        }
    }

    /// <summary>How many peers the client holds now (no copy).</summary>
    public int PeerCount
    {
        get
        {
            lock (_lock)
            {
                return _table.Count;
            }
        }
    }

    /// <summary>One peer as the client holds it now, or null (no copy of the table).</summary>
    public Node? Peer(long id)
    {
        lock (_lock)
        {
            return _table.Peers.GetValueOrDefault(id);
        }
    }

    public int MessagesReceived
    {
        get
        {
            lock (_lock)
            {
                return _table.Messages;
            }
        }
    }

    /// <summary>Whether <see cref="RawMessages"/> keeps every message (default); the load generator turns it off to hold memory flat.</summary>
    public bool KeepRawMessages { get; set; } = true;

    /// <summary>Called on the stream's reader after each message is applied (outside the node's lock).</summary>
    public event Action<TestNode, MapResponse>? MessageApplied;

    /// <summary>Every map message's decompressed JSON exactly as the server sent it, in order (for wire-shape checks).</summary>
    public IReadOnlyList<byte[]> RawMessages
    {
        get
        {
            lock (_lock)
            {
                return [.. _rawMessages];
            }
        }
    }

    /// <summary>The named packet filters as the client holds them (PacketFilters patches applied, docs/wire/control.md "Delta semantics").</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<FilterRule>> PacketFilters
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, IReadOnlyList<FilterRule>>(_filters, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>The last SSH policy received (nil in a message means unchanged).</summary>
    public SSHPolicy? SshPolicy { get; private set; }

    /// <summary>The last DERP map received (the client keeps the previous one when a message carries none).</summary>
    public DERPMap? DERPMap { get; private set; }

    /// <summary>Routes this node advertises (Hostinfo.RoutableIPs), as `tailscale up --advertise-routes` does; null: none.</summary>
    public IReadOnlyList<string>? RoutableIPs { get; set; }

    public Hostinfo Hostinfo => new() { Hostname = Hostname, OS = "linux", IPNVersion = "1.96.5-appliance-testkit", GoArch = "amd64", RoutableIPs = RoutableIPs };

    public Task<(HttpStatusCode Status, RegisterResponse? Response, string Text)> RegisterAsync(string? authKey, DateTimeOffset expiry = default, string followup = "", NodePublic oldNodeKey = default) =>
        PostRegisterAsync(new RegisterRequest
        {
            Version = Version,
            NodeKey = NodeKey.Public,
            OldNodeKey = oldNodeKey,
            NLKey = "nlpub:" + new string('0', 64),
            Auth = authKey is null ? null : new RegisterResponseAuth { AuthKey = authKey },
            Expiry = expiry,
            Followup = followup,
            Hostinfo = Hostinfo,
        });

    /// <summary>The largest decompressed map message accepted (a full map of 10,000 peers is well over the reader's 16 MiB default).</summary>
    public int MaxMapBytes { get; set; } = 16 << 20;

    /// <summary>The long-poll request this client sends (Stream:true) or its lite update base; the light nodes of the load generator reuse it.</summary>
    public MapRequest MapRequest(bool stream) => MapRequestBase() with { Stream = stream };

    public async Task<(HttpStatusCode Status, RegisterResponse? Response, string Text)> PostRegisterAsync(RegisterRequest request)
    {
        using var response = await _http.PostAsync(new Uri("/machine/register", UriKind.Relative), Json(ControlJson.Serialize(request))).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.OK
            ? (response.StatusCode, ControlJson.ParseRegisterResponse(System.Text.Encoding.UTF8.GetBytes(text)), text)
            : (response.StatusCode, null, text);
    }

    /// <summary>Generates a new node key and registers it with OldNodeKey = the current one (key rotation).</summary>
    public Task<(HttpStatusCode Status, RegisterResponse? Response, string Text)> RotateKeyAsync()
    {
        var old = NodeKey.Public;
        NodeKey = NodePrivate.Generate();
        return RegisterAsync(null, oldNodeKey: old);
    }

    /// <summary>A lite update: endpoints and Hostinfo, OmitPeers, no stream.</summary>
    public async Task<HttpStatusCode> SendLiteUpdateAsync(IReadOnlyList<string> endpoints, int preferredDerp = 0)
    {
        var request = MapRequestBase() with
        {
            OmitPeers = true,
            Endpoints = endpoints,
            EndpointTypes = [.. endpoints.Select(_ => 2)],
            Hostinfo = preferredDerp == 0 ? Hostinfo : Hostinfo with { NetInfo = new NetInfo { PreferredDERP = preferredDerp } },
        };
        using var response = await _http.PostAsync(new Uri("/machine/map", UriKind.Relative), Json(ControlJson.Serialize(request))).ConfigureAwait(false);
        return response.StatusCode;
    }

    public async Task<(HttpStatusCode Status, string Text)> PostRawMapAsync(byte[] body)
    {
        using var response = await _http.PostAsync(new Uri("/machine/map", UriKind.Relative), Json(body)).ConfigureAwait(false);
        return (response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
    }

    /// <summary>Opens the long poll and returns once the response headers arrived (status returned).</summary>
    public async Task<HttpStatusCode> StartMapPollAsync()
    {
        await StopMapPollAsync().ConfigureAwait(false);
        _poll = new CancellationTokenSource();
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/machine/map", UriKind.Relative))
        {
            Content = Json(ControlJson.Serialize(MapRequestBase() with { Stream = true })),
            Version = _http.DefaultRequestVersion,
            VersionPolicy = _http.DefaultVersionPolicy,
        };
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _poll.Token).ConfigureAwait(false);
        request.Dispose();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            LastError = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            response.Dispose();
            return response.StatusCode;
        }

        _pollTask = ReadStreamAsync(response, _poll.Token);
        return HttpStatusCode.OK;
    }

    public async Task StopMapPollAsync()
    {
        if (_poll is null)
        {
            return;
        }

        await _poll.CancelAsync().ConfigureAwait(false);
        try
        {
            if (_pollTask is not null)
            {
                await _pollTask.ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
        {
        }

        _poll.Dispose();
        _poll = null;
        _pollTask = null;
    }

    /// <summary>The body of the last refused long poll.</summary>
    public string? LastError { get; private set; }

    /// <summary>True once the server ended the long poll (for example after the node was deleted).</summary>
    public bool PollEnded => _pollTask is { IsCompleted: true };

    /// <summary>Waits until <paramref name="condition"/> holds for this node's state, or the timeout passes.</summary>
    public async Task<bool> WaitUntilAsync(Func<TestNode, bool> condition, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var cts = new CancellationTokenSource(timeout);
        while (!condition(this))
        {
            try
            {
                await _received.Reader.WaitToReadAsync(cts.Token).ConfigureAwait(false);
                while (_received.Reader.TryRead(out _))
                {
                }
            }
            catch (OperationCanceledException)
            {
                return condition(this);
            }
        }

        return true;
    }

    public async ValueTask DisposeAsync() => await StopMapPollAsync().ConfigureAwait(false);

    private MapRequest MapRequestBase() => new()
    {
        Version = Version,
        Compress = "zstd",
        KeepAlive = true,
        NodeKey = NodeKey.Public,
        DiscoKey = DiscoKey,
        Hostinfo = Hostinfo,
    };

    private async Task ReadStreamAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using (response)
            {
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await MapStreamReader.ReadAsync(stream, new MapMessageReader(zstd: true, maxMessageBytes: MaxMapBytes, maxDecompressedBytes: MaxMapBytes), json =>
                {
                    if (KeepRawMessages)
                    {
                        lock (_lock)
                        {
                            _rawMessages.Add(json);
                        }
                    }

                    Apply(ParseMapResponse(json));
                }, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is ControlProtocolException or System.Text.Json.JsonException)
        {
            // A message the client cannot read ends its poll, as tailscaled's does; the reason stays for the test.
            LastError = $"{e.GetType().Name}: {e.Message}";
        }
        finally
        {
            Signal();
        }
    }

    /// <summary>
    /// A server message, parsed without ControlJson's 1 MiB request limit (that guards the server against clients):
    /// a full map of 2,000 peers is about 1.5 MB, and <see cref="MaxMapBytes"/> already bounds what is read.
    /// </summary>
    private static MapResponse ParseMapResponse(byte[] json) =>
        json.Length <= ControlJson.MaxRequestBytes
            ? ControlJson.ParseMapResponse(json)
            : System.Text.Json.JsonSerializer.Deserialize(json, ControlJson.Context.MapResponse) ?? throw new ControlProtocolException("null MapResponse");

    private void Signal() => _received.Writer.TryWrite(true);

    private void Apply(MapResponse message)
    {
        lock (_lock)
        {
            if (message.KeepAlive)
            {
                _table.Apply(message);
                Signal();
                return;
            }

            if (message.DERPMap is not null)
            {
                DERPMap = message.DERPMap;
            }

            if (message.PacketFilter is not null)
            {
                _filters["base"] = message.PacketFilter;
            }

            foreach (var (name, rules) in (message.PacketFilters ?? new Dictionary<string, IReadOnlyList<FilterRule>?>()).OrderBy(kv => kv.Key != "*"))
            {
                if (name == "*" && rules is null)
                {
                    _filters.Clear();
                }
                else if (rules is null)
                {
                    _filters.Remove(name);
                }
                else
                {
                    _filters[name] = rules;
                }
            }

            if (message.SSHPolicy is not null)
            {
                SshPolicy = message.SSHPolicy;
            }

            _table.Apply(message);
        }

        Signal();
        MessageApplied?.Invoke(this, message);
    }

    private static ByteArrayContent Json(byte[] body)
    {
        // The real client sends no content-type on these requests (http2/README.md); send none too.
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = null;
        return content;
    }
}
