using System.Net;
using Appliance.Derp.Admission;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;

namespace Appliance.Hosting.Derp;

/// <summary>
/// derp.verify_clients backed by the control coordinator: a node key is admitted only while it belongs to a node
/// registered on this appliance whose key has not expired. Reads the lock-free snapshot, so it is cheap per handshake.
/// Open connections of keys that later stop qualifying are closed by <see cref="DerpNodeRevocationService"/>.
/// </summary>
public sealed class TailnetDerpAdmission(ControlCoordinator coordinator, TimeProvider time) : IDerpAdmission
{
    public ValueTask<DerpAdmissionDecision> CheckAsync(NodePublic node, IPEndPoint? remote, CancellationToken cancellationToken) =>
        ValueTask.FromResult(IsAdmitted(coordinator.Snapshot, node, time.GetUtcNow()) ? DerpAdmissionDecision.Allowed : DerpAdmissionDecision.Refused);

    public static bool IsAdmitted(TailnetSnapshot snapshot, NodePublic node, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return snapshot.FindByNodeKey(node) is { } entry && !entry.Record.IsKeyExpired(now);
    }
}
