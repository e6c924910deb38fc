using Appliance.State.Commands;
using Appliance.State.Coordinator;

namespace Appliance.State.Identity;

public sealed partial class IdentityService
{
    public OperationResult<TailnetUser> CreateUser(string name, string? displayName = null, string? email = null)
    {
        if (NameRules.CheckUserName(name) is { } problem)
        {
            return OperationResult.Invalid<TailnetUser>(problem);
        }

        return _writer.Run("create user", () =>
        {
            var created = _users.Insert(name, Blank(displayName), Blank(email), _time.GetUtcNow());
            if (!created.IsOk)
            {
                return OperationResult.Conflict<TailnetUser>($"a user named '{name}' already exists");
            }

            StateEvents.UserCreated(_log, created.Row.Id, created.Row.Name);
            return OperationResult.Ok(created.Row);
        });
    }

    public IReadOnlyList<TailnetUser> ListUsers() => _users.List();

    public TailnetUser? FindUser(string name) => _users.GetByName(name);

    public TailnetUser? GetUser(long id) => _users.Get(id);

    public OperationResult<TailnetUser> RenameUser(string name, string newName)
    {
        if (NameRules.CheckUserName(newName) is { } problem)
        {
            return OperationResult.Invalid<TailnetUser>(problem);
        }

        return _writer.Run(
            "rename user",
            () =>
            {
                if (_users.GetByName(name) is not { } user)
                {
                    return NoUser<TailnetUser>(name);
                }

                var renamed = _users.Rename(user.Id, newName);
                return renamed.Status switch
                {
                    WriteStatus.Ok => Logged(renamed.Row!, r => StateEvents.UserRenamed(_log, r.Id, r.Name)),
                    WriteStatus.Conflict => OperationResult.Conflict<TailnetUser>($"a user named '{newName}' already exists"),
                    _ => NoUser<TailnetUser>(name),
                };
            },
            user => new TailnetEffect { UserSaved = user });
    }

    /// <summary>
    /// Deletes a user and their pre-auth keys. A user who still owns nodes is refused unless
    /// <paramref name="force"/>, which deletes those nodes too, in the same transaction and the same writer step
    /// (peers get PeersRemoved, the nodes' streams end).
    /// </summary>
    public OperationResult<UserDeletion> DeleteUser(string name, bool force)
    {
        return _writer.Run(
            "delete user",
            () =>
            {
                if (_users.GetByName(name) is not { } user)
                {
                    return NoUser<UserDeletion>(name);
                }

                var (status, removed) = _users.Delete(user.Id, force);
                return status switch
                {
                    WriteStatus.Ok => Logged(new UserDeletion(user, removed), d => StateEvents.UserDeleted(_log, user.Id, user.Name, removed.Count)),
                    WriteStatus.Conflict => OperationResult.Conflict<UserDeletion>(
                        $"user '{name}' still owns nodes; delete or re-tag them first, or force the deletion to remove them too"),
                    _ => NoUser<UserDeletion>(name),
                };
            },
            deletion => new TailnetEffect { UserDeleted = deletion.User.Id, NodesDeleted = deletion.RemovedNodeIds });
    }

    private static OperationResult<T> Logged<T>(T value, Action<T> log)
    {
        log(value);
        return OperationResult.Ok(value);
    }

    private static OperationResult<T> NoUser<T>(string name) => OperationResult.NotFound<T>($"no user named '{name}'");

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
