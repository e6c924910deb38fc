using System.Text.Json;

namespace Appliance.LoadGen.Nodes;

/// <summary>
/// What a light node takes from one map message without building a netmap: the peer set changes by the client's rules
/// (control/controlclient/map.go: <c>Peers</c> replaces the set only when non-empty, <c>PeersChanged</c> adds,
/// <c>PeersRemoved</c> removes; a <c>PeersChangedPatch</c> only patches known peers) and whether the message shows
/// the active probe (the mover's marker endpoint in a peer or patch, or a peer with the joining node key).
/// Field names are tailcfg's JSON names (tailcfg.MapResponse, Node, PeerChange).
/// <para>
/// Every other field is skipped by <see cref="JsonScan"/>, which only finds where a value ends (strings, brackets),
/// with vectorised searches, instead of tokenising it: with Utf8JsonReader, skipping each node's Hostinfo and the
/// rest was most of a light node's scan (issue 16: the generator spent as much CPU per registration as the server
/// it measured). A full map of 10,000 peers costs a scan, not 10,000 objects. Malformed input throws
/// <see cref="JsonException"/>.
/// </para>
/// </summary>
internal static class LightMapScanner
{
    /// <summary>Applies <paramref name="json"/> to <paramref name="peers"/>; returns whether the probe's change is in it.</summary>
    /// <exception cref="JsonException">The message is not a JSON object of the expected shape.</exception>
    public static bool Apply(ReadOnlySpan<byte> json, PeerIdSet peers, long moverId, ReadOnlySpan<byte> marker, ReadOnlySpan<byte> joinKey)
    {
        var scan = new JsonScan(json);
        bool seen = false, marked = false;
        scan.Expect((byte)'{');
        if (!scan.TryConsume((byte)'}'))
        {
            do
            {
                var name = scan.ReadString();
                scan.Expect((byte)':');
                if (JsonScan.NameIs(name, "Peers"u8))
                {
                    var (m, j) = ReadNodes(ref scan, peers, replace: true, moverId, marker, joinKey);
                    (marked, seen) = (marked | m, seen | j);
                }
                else if (JsonScan.NameIs(name, "PeersChanged"u8))
                {
                    var (m, j) = ReadNodes(ref scan, peers, replace: false, moverId, marker, joinKey);
                    (marked, seen) = (marked | m, seen | j);
                }
                else if (JsonScan.NameIs(name, "PeersRemoved"u8))
                {
                    ReadRemovals(ref scan, peers);
                }
                else if (JsonScan.NameIs(name, "PeersChangedPatch"u8))
                {
                    marked |= ReadPatches(ref scan, peers, moverId, marker);
                }
                else
                {
                    scan.SkipValue();
                }
            }
            while (scan.TryConsume((byte)','));

            scan.Expect((byte)'}');
        }

        // The marker counts only if the mover is still a peer once the whole message is applied (as the netmap shows it).
        return seen || (marked && peers.Contains(moverId));
    }

    /// <summary>Returns whether the mover appeared with the marker, and whether a node with the joining key appeared.</summary>
    private static (bool Marked, bool Joined) ReadNodes(ref JsonScan scan, PeerIdSet peers, bool replace, long moverId, ReadOnlySpan<byte> marker, ReadOnlySpan<byte> joinKey)
    {
        if (!scan.TryConsume((byte)'['))
        {
            scan.SkipValue();
            return (false, false);
        }

        bool marked = false, joined = false;
        if (scan.TryConsume((byte)']'))
        {
            return (false, false);
        }

        if (replace)
        {
            peers.Clear();
        }

        do
        {
            var (id, hasMarker, hasKey) = ReadObject(ref scan, "ID"u8, marker, joinKey);
            peers.Add(id);
            marked |= hasMarker && id == moverId;
            joined |= hasKey;
        }
        while (scan.TryConsume((byte)','));

        scan.Expect((byte)']');
        return (marked, joined);
    }

    private static void ReadRemovals(ref JsonScan scan, PeerIdSet peers)
    {
        if (!scan.TryConsume((byte)'['))
        {
            scan.SkipValue();
            return;
        }

        if (scan.TryConsume((byte)']'))
        {
            return;
        }

        do
        {
            peers.Remove(scan.ReadInt64());
        }
        while (scan.TryConsume((byte)','));

        scan.Expect((byte)']');
    }

    private static bool ReadPatches(ref JsonScan scan, PeerIdSet peers, long moverId, ReadOnlySpan<byte> marker)
    {
        if (!scan.TryConsume((byte)'['))
        {
            scan.SkipValue();
            return false;
        }

        if (scan.TryConsume((byte)']'))
        {
            return false;
        }

        var seen = false;
        do
        {
            var (id, hasMarker, _) = ReadObject(ref scan, "NodeID"u8, marker, []);
            seen |= hasMarker && id == moverId && peers.Contains(id);
        }
        while (scan.TryConsume((byte)','));

        scan.Expect((byte)']');
        return seen;
    }

    /// <summary>Reads one Node or PeerChange object: its ID, whether Endpoints holds the marker, whether Key is the joining key.</summary>
    private static (long Id, bool HasMarker, bool HasKey) ReadObject(ref JsonScan scan, ReadOnlySpan<byte> idName, ReadOnlySpan<byte> marker, ReadOnlySpan<byte> joinKey)
    {
        long id = 0;
        bool hasMarker = false, hasKey = false;
        scan.Expect((byte)'{');
        if (scan.TryConsume((byte)'}'))
        {
            return (id, hasMarker, hasKey);
        }

        do
        {
            var name = scan.ReadString();
            scan.Expect((byte)':');
            if (JsonScan.NameIs(name, idName))
            {
                id = scan.ReadInt64();
            }
            else if (JsonScan.NameIs(name, "Endpoints"u8) && scan.TryConsume((byte)'['))
            {
                if (!scan.TryConsume((byte)']'))
                {
                    do
                    {
                        var endpoint = scan.ReadString();
                        hasMarker |= !marker.IsEmpty && JsonScan.ValueIs(endpoint, marker);
                    }
                    while (scan.TryConsume((byte)','));

                    scan.Expect((byte)']');
                }
            }
            else if (JsonScan.NameIs(name, "Key"u8) && scan.PeekIs((byte)'"'))
            {
                var key = scan.ReadString();
                hasKey = !joinKey.IsEmpty && JsonScan.ValueIs(key, joinKey);
            }
            else
            {
                scan.SkipValue();
            }
        }
        while (scan.TryConsume((byte)','));

        scan.Expect((byte)'}');
        return (id, hasMarker, hasKey);
    }
}
