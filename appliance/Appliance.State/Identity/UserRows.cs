using Appliance.State.Coordinator;
using UserStore = Appliance.Storage.Stores.UserStore;

namespace Appliance.State.Identity;

/// <summary>Storage's <see cref="UserStore"/> speaking State's <see cref="TailnetUser"/> (the translation is <see cref="StoredRows"/>).</summary>
internal sealed class UserRows(UserStore store)
{
    public WriteResult<TailnetUser> Insert(string name, string? displayName, string? email, DateTimeOffset createdAt) =>
        store.Insert(name, displayName, email, createdAt).ToTailnet();

    public TailnetUser? Get(long id) => store.Get(id).ToTailnetOrNull();

    public TailnetUser? GetByName(string name) => store.GetByName(name).ToTailnetOrNull();

    public IReadOnlyList<TailnetUser> List() => [.. store.List().Select(StoredRows.ToTailnet)];

    public WriteResult<TailnetUser> Rename(long id, string newName) => store.Rename(id, newName).ToTailnet();

    public WriteResult<TailnetUser> UpdateProfile(long id, string? displayName, string? email) =>
        store.UpdateProfile(id, displayName, email).ToTailnet();

    public WriteResult<TailnetUser> UpdateIdentity(long id, string role, IReadOnlyList<string> groups, bool disabled) =>
        store.UpdateIdentity(id, role, groups, disabled).ToTailnet();

    public (WriteStatus Status, IReadOnlyList<long> RemovedNodes) Delete(long id, bool withNodes)
    {
        var (status, removed) = store.Delete(id, withNodes);
        return (status.ToTailnet(), removed);
    }
}
