using System.Collections.Concurrent;
using System.Net;
using Appliance.Derp.Admission;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;

namespace Appliance.Hosting.Derp;

/// <summary>
/// derp.verify_clients backed by the control coordinator: a node key is admitted only while it belongs to a node
/// registered on this appliance whose key has not expired. Reads the lock-free snapshot, so it is cheap per handshake.
/// Admitted keys are remembered so <see cref="DerpNodeRevocationService"/> can close the connections of keys that
/// later stop qualifying.
/// </summary>
public sealed class TailnetDerpAdmission(ControlCoordinator coordinator, TimeProvider time) : IDerpAdmission
{
    private readonly ConcurrentDictionary<NodePublic, byte> _admitted = new();

    /// <summary>Keys admitted since they were last found disconnected (the revocation sweep prunes it).</summary>
    public ICollection<NodePublic> Admitted => _admitted.Keys;

    public ControlCoordinator Coordinator => coordinator;

    public ValueTask<DerpAdmissionDecision> CheckAsync(NodePublic node, IPEndPoint? remote, CancellationToken cancellationToken)
    {
        if (!IsAdmitted(coordinator.Snapshot, node, time.GetUtcNow()))
        {
            return ValueTask.FromResult(DerpAdmissionDecision.Refused);
        }

        _admitted[node] = 0;
        return ValueTask.FromResult(DerpAdmissionDecision.Allowed);
    }

    public void Forget(NodePublic node) => _admitted.TryRemove(node, out _);

    public static bool IsAdmitted(TailnetSnapshot snapshot, NodePublic node, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return snapshot.FindByNodeKey(node) is { } entry && !entry.Record.IsKeyExpired(now);
    }
}
