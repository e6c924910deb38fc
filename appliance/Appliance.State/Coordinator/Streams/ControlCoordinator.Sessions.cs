using System.Collections.Immutable;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;

namespace Appliance.State.Coordinator;

/// <summary>
/// Map requests and streams as commands: applying what a node reports, connecting and disconnecting streams (which
/// take the node online and offline). The streams themselves live in the <see cref="MapStreamHub"/>.
/// </summary>
public sealed partial class ControlCoordinator
{
    public int ConnectedStreams => Streams.Count;

    /// <summary>
    /// Checks that the node key belongs to the Noise machine key and applies the request's DiscoKey, Endpoints and
    /// Hostinfo (docs/wire/control.md "/machine/map"; headscale applies them for streams too, and so do we). Peers hear about it as a
    /// patch when only endpoints, home DERP or disco key changed, and as a full node change otherwise.
    /// </summary>
    public MapRequestOutcome ApplyMapRequest(MachinePublic machine, MapRequest request) => ApplyMapRequest(machine, request, streamFollows: false);

    /// <summary>
    /// As <see cref="ApplyMapRequest(MachinePublic, MapRequest)"/>; with <paramref name="streamFollows"/> (the caller
    /// calls <see cref="Connect"/> next) what it changed is not fanned out on its own but with the connect, so peers
    /// get one delta for both (issue 16), or after <see cref="CoordinatorOptions.CoalesceWindow"/> at the latest.
    /// </summary>
    /// <remarks>
    /// A write the database refuses (full, read-only) is <see cref="MapRequestStatus.StorageUnavailable"/> (event
    /// StorageWriteFailed, once): the snapshot is published only after the row was stored, so nothing changed.
    /// </remarks>
    public MapRequestOutcome ApplyMapRequest(MachinePublic machine, MapRequest request, bool streamFollows)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return ApplyMapRequestOnWriter(machine, request, streamFollows);
        }
        catch (Exception e) when (Commands.StorageFaults.IsStorageFault(e))
        {
            StateEvents.StorageWriteFailed(_log, e, "apply map request");
            return new MapRequestOutcome(MapRequestStatus.StorageUnavailable, null);
        }
    }

    private MapRequestOutcome ApplyMapRequestOnWriter(MachinePublic machine, MapRequest request, bool streamFollows)
    {
        Func<Func<MapRequestOutcome>, MapRequestOutcome> write = streamFollows ? WriteDeferringFanOut : Write;
        return write(() =>
        {
            var snapshot = _snapshot;
            if (snapshot.FindByNodeKey(request.NodeKey) is not { } entry)
            {
                StateEvents.MapRequestRefused(_log, machine.ToString(), "no node has this node key");
                return new MapRequestOutcome(MapRequestStatus.NodeNotFound, null);
            }

            if (entry.Record.MachineKey != machine)
            {
                StateEvents.MapRequestRefused(_log, machine.ToString(), "the node key belongs to another machine");
                return new MapRequestOutcome(MapRequestStatus.MachineKeyMismatch, null);
            }

            var record = entry.Record;
            var patch = new PeerChange { NodeID = entry.Id };
            var patched = false;
            var full = false;
            if (!request.DiscoKey.IsZero && request.DiscoKey != record.DiscoKey)
            {
                record = record with { DiscoKey = request.DiscoKey };
                patch = patch with { DiscoKey = request.DiscoKey };
                patched = true;
            }

            if (request.Endpoints is not null)
            {
                var endpoints = ParseEndpoints(request.Endpoints);
                if (!endpoints.SequenceEqual(record.Endpoints.IsDefault ? [] : record.Endpoints))
                {
                    record = record with { Endpoints = endpoints };
                    patch = patch with { Endpoints = [.. endpoints.Select(e => e.ToString())] };
                    patched = true;
                }
            }

            var hostinfo = entry.Hostinfo;
            if (request.Hostinfo is { } reported)
            {
                var oldHome = hostinfo?.NetInfo?.PreferredDERP ?? 0;
                var newHome = reported.NetInfo?.PreferredDERP ?? oldHome;

                // Go clients send NetInfo only in some requests; keep the last one we saw.
                reported = reported.NetInfo is null && hostinfo?.NetInfo is not null ? reported with { NetInfo = hostinfo.NetInfo } : reported;
                if (!SameApartFromNetInfo(hostinfo, reported))
                {
                    full = true;
                }

                if (newHome != oldHome && newHome != 0)
                {
                    patch = patch with { DERPRegion = newHome };
                    patched = true;
                }

                hostinfo = reported;
                record = record with { Hostname = reported.Hostname ?? record.Hostname, HostinfoJson = SerializeHostinfo(reported) };
            }

            if (request.Version != entry.Cap && request.Version > 0)
            {
                full = full || entry.Cap != 0;
            }

            if (record == entry.Record && !full && request.Version == entry.Cap)
            {
                return new MapRequestOutcome(MapRequestStatus.Ok, entry);
            }

            if (record != entry.Record)
            {
                // Only what the node reports: an operator's tags, expiry or routes in the same row are never rewritten.
                var stored = _nodes.Update(record, NodeColumns.DiscoKey | NodeColumns.Endpoints | NodeColumns.Hostname | NodeColumns.Hostinfo);
                if (!stored.IsOk)
                {
                    return new MapRequestOutcome(MapRequestStatus.StorageConflict, null);
                }

                record = stored.Row;
            }

            var updated = Reproject(entry, record, hostinfo, cap: request.Version > 0 ? request.Version : entry.Cap);
            Publish(snapshot.With(updated), changes =>
            {
                if (full)
                {
                    changes.AddFull(updated.Id);
                }
                else if (patched)
                {
                    changes.AddPatch(patch);
                }
            });
            return new MapRequestOutcome(MapRequestStatus.Ok, updated);
        });
    }

    /// <summary>
    /// Opens a map stream for a node that <see cref="ApplyMapRequest"/> accepted. The node goes online (peers get
    /// OnlineChange). Dispose the returned handle when the HTTP stream ends.
    /// </summary>
    public MapStreamHandle Connect(long nodeId, bool zstd)
    {
        var session = Write(() =>
        {
            var wasOnline = Streams.HasStream(nodeId);
            var created = Streams.Open(nodeId, zstd);
            if (!wasOnline)
            {
                ReportConnected(nodeId);
            }

            // A node already online through another appliance on the same database stays online: nothing to send.
            if (!wasOnline && _snapshot.Find(nodeId) is { } entry && !entry.Online)
            {
                var online = Reproject(entry, online: true);
                Publish(_snapshot.With(online), changes => changes.AddOnline(nodeId, true));
            }

            return created;
        });
        return new MapStreamHandle(this, session);
    }

    internal void Disconnect(MapSession session)
    {
        Write(() =>
        {
            if (!Streams.Remove(session))
            {
                return false;
            }

            if (Streams.HasStream(session.NodeId) || _snapshot.Find(session.NodeId) is not { } entry)
            {
                return true;
            }

            ReportDisconnected(session.NodeId);
            var now = _time.GetUtcNow();
            var record = entry.Record with { LastSeen = now };
            try
            {
                _nodes.Update(record, NodeColumns.LastSeen);
            }
            catch (Exception e) when (Commands.StorageFaults.IsStorageFault(e))
            {
                // The node is offline whether or not last_seen could be stored; peers must still hear it.
                Interlocked.Increment(ref _backgroundFaults);
                StateEvents.StorageWriteFailed(_log, e, "record last seen");
            }

            // Still online when another appliance on the same database holds a stream for it (docs/ops/ha.md).
            var stillOnline = _onlineElsewhere.Contains(session.NodeId);
            var offline = Reproject(entry, record, online: stillOnline);
            Publish(_snapshot.With(offline), changes =>
            {
                if (!stillOnline)
                {
                    changes.AddOnline(session.NodeId, false);
                }
            });
            return true;
        });

        // Closing takes the stream's gate, which is never waited for on the writer.
        session.Close();
    }

    private static bool SameApartFromNetInfo(Hostinfo? a, Hostinfo b)
    {
        if (a is null)
        {
            return false;
        }

        return SerializeHostinfo(a with { NetInfo = null }) == SerializeHostinfo(b with { NetInfo = null });
    }
}

/// <summary>What <see cref="ControlCoordinator.ApplyMapRequest"/> decided.</summary>
public enum MapRequestStatus
{
    Ok,

    /// <summary>No node has this node key (never registered, deleted, or rotated away): the client must register.</summary>
    NodeNotFound,

    /// <summary>The node key belongs to a different machine than the Noise session proved.</summary>
    MachineKeyMismatch,

    StorageConflict,

    /// <summary>The database refused the write (full, read-only): nothing changed; the client retries (HTTP 503).</summary>
    StorageUnavailable,
}

public readonly record struct MapRequestOutcome(MapRequestStatus Status, NodeEntry? Node)
{
    /// <summary>True when the request was applied; <see cref="Node"/> is then the node as published.</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Node))]
    public bool IsOk => Status == MapRequestStatus.Ok;
}

/// <summary>A connected map stream; disposing it disconnects the stream (and may take the node offline).</summary>
public sealed class MapStreamHandle : IDisposable
{
    private readonly ControlCoordinator _owner;

    internal MapStreamHandle(ControlCoordinator owner, MapSession session)
    {
        _owner = owner;
        Session = session;
    }

    public MapSession Session { get; }

    public void Dispose() => _owner.Disconnect(Session);
}
