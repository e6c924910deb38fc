using System.Collections.Immutable;
using System.Net;

namespace Appliance.State.Coordinator;

/// <summary>
/// Addresses for new nodes. Sequential allocation (lowest free first) scanned the prefix from the bottom on every
/// registration, O(N) set lookups (issue 16: at 10,000 nodes about 20,000 per registration). The flow remembers
/// where its last scan stopped (the floor: every lower address was in use) together with the address set it
/// published; while the snapshot still holds that very set (no node got or lost an address since,
/// <see cref="TailnetSnapshot.With"/> keeps the set when addresses stay), the next scan starts at the floor. Any other
/// set (a deletion, a reload, another appliance's node) starts from the bottom again, so "lowest free" stays exact.
/// Touched only on the coordinator's writer.
/// </summary>
public sealed partial class RegistrationFlow
{
    private ImmutableHashSet<IPAddress>? _floorSet;
    private UInt128 _floorV4 = UInt128.One;
    private UInt128 _floorV6 = UInt128.One;

    private (IPAddress? V4, IPAddress? V6) AllocateAddresses(TailnetSnapshot snapshot)
    {
        _coordinator.AssertWriter();
        if (_options.Allocation != AddressAllocation.Sequential)
        {
            return (
                IpAllocator.Allocate(_options.Allocation, _options.PrefixV4, snapshot.Addresses, _options.AllocationRandom),
                IpAllocator.Allocate(_options.Allocation, _options.PrefixV6, snapshot.Addresses, _options.AllocationRandom));
        }

        if (!ReferenceEquals(_floorSet, snapshot.Addresses))
        {
            _floorV4 = UInt128.One;
            _floorV6 = UInt128.One;
        }

        return (IpAllocator.Next(_options.PrefixV4, snapshot.Addresses, ref _floorV4), IpAllocator.Next(_options.PrefixV6, snapshot.Addresses, ref _floorV6));
    }

    /// <summary>A new node's addresses are in <paramref name="published"/>: the floors hold for its address set.</summary>
    private void AddressesTaken(TailnetSnapshot published) => _floorSet = published.Addresses;
}
