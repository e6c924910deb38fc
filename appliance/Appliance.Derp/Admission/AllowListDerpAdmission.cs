using System.Collections.Immutable;
using System.Net;
using Appliance.Protocol.Keys;

namespace Appliance.Derp.Admission;

/// <summary>Admits a fixed, replaceable set of keys. Used by tests and the benchmark; the set is an immutable snapshot swapped atomically.</summary>
public sealed class AllowListDerpAdmission : IDerpAdmission
{
    private ImmutableHashSet<NodePublic> _allowed;

    public AllowListDerpAdmission(IEnumerable<NodePublic> allowed) => _allowed = allowed.ToImmutableHashSet();

    public void Add(NodePublic node) => ImmutableInterlocked.Update(ref _allowed, static (set, key) => set.Add(key), node);

    public void Remove(NodePublic node) => ImmutableInterlocked.Update(ref _allowed, static (set, key) => set.Remove(key), node);

    public ValueTask<DerpAdmissionDecision> CheckAsync(NodePublic node, IPEndPoint? remote, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Volatile.Read(ref _allowed).Contains(node) ? DerpAdmissionDecision.Allowed : DerpAdmissionDecision.Refused);
}
