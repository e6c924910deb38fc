using System.Text.Json;

namespace Appliance.LoadGen.Nodes;

/// <summary>
/// What a light node takes from one map message without building a netmap: the peer set changes by the client's rules
/// (control/controlclient/map.go: <c>Peers</c> replaces the set only when non-empty, <c>PeersChanged</c> adds,
/// <c>PeersRemoved</c> removes; a <c>PeersChangedPatch</c> only patches known peers) and whether the message shows
/// the active probe (the mover's marker endpoint in a peer or patch, or a peer with the joining node key).
/// Field names are tailcfg's JSON names (tailcfg.MapResponse, Node, PeerChange). Every other field is skipped
/// unread, so a full map of 10,000 peers costs a scan, not 10,000 objects.
/// </summary>
internal static class LightMapScanner
{
    /// <summary>Applies <paramref name="json"/> to <paramref name="peers"/>; returns whether the probe's change is in it.</summary>
    /// <exception cref="JsonException">The message is not a JSON object of the expected shape.</exception>
    public static bool Apply(ReadOnlySpan<byte> json, PeerIdSet peers, long moverId, ReadOnlySpan<byte> marker, ReadOnlySpan<byte> joinKey)
    {
        var reader = new Utf8JsonReader(json);
        Expect(ref reader, JsonTokenType.StartObject);
        bool seen = false, marked = false;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("Peers"u8))
            {
                var (m, j) = ReadNodes(ref reader, peers, replace: true, moverId, marker, joinKey);
                (marked, seen) = (marked | m, seen | j);
            }
            else if (reader.ValueTextEquals("PeersChanged"u8))
            {
                var (m, j) = ReadNodes(ref reader, peers, replace: false, moverId, marker, joinKey);
                (marked, seen) = (marked | m, seen | j);
            }
            else if (reader.ValueTextEquals("PeersRemoved"u8))
            {
                if (Next(ref reader) == JsonTokenType.StartArray)
                {
                    while (Next(ref reader) == JsonTokenType.Number)
                    {
                        peers.Remove(Int64(ref reader));
                    }
                }
            }
            else if (reader.ValueTextEquals("PeersChangedPatch"u8))
            {
                marked |= ReadPatches(ref reader, peers, moverId, marker);
            }
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }

        // The marker counts only if the mover is still a peer once the whole message is applied (as the netmap shows it).
        return seen || (marked && peers.Contains(moverId));
    }

    /// <summary>Returns whether the mover appeared with the marker, and whether a node with the joining key appeared.</summary>
    private static (bool Marked, bool Joined) ReadNodes(ref Utf8JsonReader reader, PeerIdSet peers, bool replace, long moverId, ReadOnlySpan<byte> marker, ReadOnlySpan<byte> joinKey)
    {
        if (Next(ref reader) != JsonTokenType.StartArray)
        {
            return (false, false);
        }

        bool marked = false, joined = false;
        var first = true;
        while (Next(ref reader) == JsonTokenType.StartObject)
        {
            if (replace && first)
            {
                peers.Clear();
            }

            first = false;
            var (id, hasMarker, hasKey) = ReadObject(ref reader, "ID"u8, marker, joinKey);
            peers.Add(id);
            marked |= hasMarker && id == moverId;
            joined |= hasKey;
        }

        return (marked, joined);
    }

    private static bool ReadPatches(ref Utf8JsonReader reader, PeerIdSet peers, long moverId, ReadOnlySpan<byte> marker)
    {
        if (Next(ref reader) != JsonTokenType.StartArray)
        {
            return false;
        }

        var seen = false;
        while (Next(ref reader) == JsonTokenType.StartObject)
        {
            var (id, hasMarker, _) = ReadObject(ref reader, "NodeID"u8, marker, []);
            seen |= hasMarker && id == moverId && peers.Contains(id);
        }

        return seen;
    }

    /// <summary>Reads one Node or PeerChange object: its ID, whether Endpoints holds the marker, whether Key is the joining key.</summary>
    private static (long Id, bool HasMarker, bool HasKey) ReadObject(ref Utf8JsonReader reader, ReadOnlySpan<byte> idName, ReadOnlySpan<byte> marker, ReadOnlySpan<byte> joinKey)
    {
        long id = 0;
        bool hasMarker = false, hasKey = false;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(idName))
            {
                Expect(ref reader, JsonTokenType.Number);
                id = Int64(ref reader);
            }
            else if (reader.ValueTextEquals("Endpoints"u8))
            {
                if (Next(ref reader) == JsonTokenType.StartArray)
                {
                    while (Next(ref reader) == JsonTokenType.String)
                    {
                        hasMarker |= !marker.IsEmpty && reader.ValueTextEquals(marker);
                    }
                }
            }
            else if (reader.ValueTextEquals("Key"u8))
            {
                Next(ref reader);
                hasKey = !joinKey.IsEmpty && reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(joinKey);
            }
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }

        return (id, hasMarker, hasKey);
    }

    private static long Int64(ref Utf8JsonReader reader) =>
        reader.TryGetInt64(out var value) ? value : throw new JsonException($"not a 64-bit ID at byte {reader.TokenStartIndex}");

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("map message ends early");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (Next(ref reader) != type)
        {
            throw new JsonException($"expected {type}, found {reader.TokenType} at byte {reader.TokenStartIndex}");
        }
    }
}
