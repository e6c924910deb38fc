using System.Net;
using System.Text.Json;
using Appliance.LoadGen.Measure;
using Appliance.Protocol.Control;
using Appliance.TestKit.Control;

namespace Appliance.LoadGen.Nodes;

/// <summary>
/// A node that keeps its stream and counts peers (<see cref="PeerIdSet"/>) without holding the netmap, so thousands
/// fit beside the server: the same register and long-poll request as <see cref="FullNode"/>, but each message is
/// scanned (<see cref="LightMapScanner"/>) instead of decoded into objects.
/// </summary>
internal sealed class LightNode(int index, string hostname, ProbeBoard probes) : SimNode(index, hostname, probes)
{
    private readonly PeerIdSet _peers = new();
    private CancellationTokenSource? _poll;
    private Task? _reader;
    private string? _error;

    public override int PeerCount => _peers.Count;

    public override long NodeId => 0;

    public override bool StreamEnded => _reader is { IsCompleted: true };

    public override string? StreamError => Volatile.Read(ref _error);

    public override async Task StartStreamAsync()
    {
        _poll = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/machine/map", UriKind.Relative))
        {
            Content = new ByteArrayContent(ControlJson.Serialize(Client.MapRequest(stream: true))) { Headers = { ContentType = null } },
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _poll.Token).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            _error = $"map poll: HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}";
            response.Dispose();
            throw new InvalidOperationException($"{Hostname}: {_error}");
        }

        _reader = ReadAsync(response, _poll.Token);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_poll is not null)
        {
            await _poll.CancelAsync().ConfigureAwait(false);
            if (_reader is not null)
            {
                await _reader.ConfigureAwait(false);
            }

            _poll.Dispose();
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    private async Task ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using (response)
            {
                var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                var reader = new MapMessageReader(zstd: true, maxMessageBytes: 256 << 20, maxDecompressedBytes: 256 << 20);
                // Each message is scanned where it was decoded (a pooled buffer), never copied into an array of its own.
                await MapStreamReader.ReadAsync(body, reader, static (json, node) => node.OnMessage(json), this, cancellationToken).ConfigureAwait(false);
            }

            _error ??= "the server ended the stream";
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException or ControlProtocolException)
        {
            // A broken stream is a finding for the report (the node will be counted stuck), never a crash of the run.
            Volatile.Write(ref _error, e.GetType().Name + ": " + e.Message);
        }
    }

    private void OnMessage(ReadOnlySpan<byte> json)
    {
        var probe = Probes.Current;
        if (LightMapScanner.Apply(json, _peers, probe?.MoverId ?? -1, probe is null ? [] : probe.MarkerUtf8, probe is null ? [] : probe.JoinKeyUtf8))
        {
            probe!.Arrive(Index);
        }
    }
}
