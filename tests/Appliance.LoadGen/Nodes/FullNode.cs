using System.Net;
using Appliance.LoadGen.Measure;
using Appliance.Protocol.Control;
using Appliance.TestKit.Control;

namespace Appliance.LoadGen.Nodes;

/// <summary>A node that keeps the whole netmap as the client does (TestKit's TestNode and its PeerTable) and checks probes against it.</summary>
internal sealed class FullNode(int index, string hostname, ProbeBoard probes) : SimNode(index, hostname, probes)
{
    private string? _error;

    public override int PeerCount => Client.PeerCount;

    public override long NodeId => Client.Self?.ID ?? 0;

    public override bool StreamEnded => Client.PollEnded;

    public override string? StreamError => _error ?? Client.LastError;

    public override async Task StartStreamAsync()
    {
        var status = await Client.StartMapPollAsync().ConfigureAwait(false);
        if (status != HttpStatusCode.OK)
        {
            _error = $"map poll: HTTP {(int)status}: {Client.LastError}";
            throw new InvalidOperationException($"{Hostname}: {_error}");
        }
    }

    protected override void OnClientCreated(TestNode client) => client.MessageApplied += Check;

    /// <summary>After each applied message: does the netmap now show the probe's change?</summary>
    private void Check(TestNode node, MapResponse message)
    {
        if (Probes.Current is not { } probe)
        {
            return;
        }

        if (probe.Marker is { } marker)
        {
            if (node.Peer(probe.MoverId)?.Endpoints?.Contains(marker) == true)
            {
                probe.Arrive(Index);
            }
        }
        else if (probe.JoinKey is { } key)
        {
            foreach (var peer in (message.Peers ?? []).Concat(message.PeersChanged ?? []))
            {
                if (peer.Key.ToString() == key && node.Peer(peer.ID) is not null)
                {
                    probe.Arrive(Index);
                    break;
                }
            }
        }
    }
}
