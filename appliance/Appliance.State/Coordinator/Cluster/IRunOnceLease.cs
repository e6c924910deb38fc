namespace Appliance.State.Coordinator;

/// <summary>
/// Work that must run on one appliance at a time when several share a database (ephemeral GC, the presence sweep):
/// <see cref="TryTake"/> takes or renews the named lease and says whether this instance holds it.
/// </summary>
public interface IRunOnceLease
{
    bool TryTake(string work);
}
