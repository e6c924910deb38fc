using Appliance.Storage.Stores;

namespace Appliance.State.Identity;

public sealed partial class IdentityService
{
    public OperationResult<UserRecord> CreateUser(string name, string? displayName = null, string? email = null)
    {
        if (NameRules.CheckUserName(name) is { } problem)
        {
            return OperationResult.Invalid<UserRecord>(problem);
        }

        var created = _users.Insert(name, Blank(displayName), Blank(email), _time.GetUtcNow());
        return created.IsOk
            ? OperationResult.Ok(created.Row!)
            : OperationResult.Conflict<UserRecord>($"a user named '{name}' already exists");
    }

    public IReadOnlyList<UserRecord> ListUsers() => _users.List();

    public UserRecord? FindUser(string name) => _users.GetByName(name);

    public UserRecord? GetUser(long id) => _users.Get(id);

    public OperationResult<UserRecord> RenameUser(string name, string newName)
    {
        if (NameRules.CheckUserName(newName) is { } problem)
        {
            return OperationResult.Invalid<UserRecord>(problem);
        }

        if (_users.GetByName(name) is not { } user)
        {
            return NoUser<UserRecord>(name);
        }

        var renamed = _users.Rename(user.Id, newName);
        return renamed.Status switch
        {
            WriteStatus.Ok => OperationResult.Ok(renamed.Row!),
            WriteStatus.Conflict => OperationResult.Conflict<UserRecord>($"a user named '{newName}' already exists"),
            _ => NoUser<UserRecord>(name),
        };
    }

    /// <summary>
    /// Deletes a user and their pre-auth keys. A user who still owns nodes is refused unless
    /// <paramref name="force"/>, which deletes those nodes too (and tells the node change sink).
    /// </summary>
    public OperationResult<UserDeletion> DeleteUser(string name, bool force)
    {
        if (_users.GetByName(name) is not { } user)
        {
            return NoUser<UserDeletion>(name);
        }

        var (status, removed) = _users.Delete(user.Id, force);
        switch (status)
        {
            case WriteStatus.Ok:
                if (removed.Count > 0)
                {
                    _changes.NodesRemoved(removed);
                }

                return OperationResult.Ok(new UserDeletion(user, removed));
            case WriteStatus.Conflict:
                return OperationResult.Conflict<UserDeletion>(
                    $"user '{name}' still owns nodes; delete or re-tag them first, or force the deletion to remove them too");
            default:
                return NoUser<UserDeletion>(name);
        }
    }

    private static OperationResult<T> NoUser<T>(string name) => OperationResult.NotFound<T>($"no user named '{name}'");

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
