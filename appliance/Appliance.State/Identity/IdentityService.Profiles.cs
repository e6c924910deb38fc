using Appliance.State.Commands;
using Appliance.State.Coordinator;

namespace Appliance.State.Identity;

public sealed partial class IdentityService
{
    /// <summary>Sets a user's display name and e-mail (blank clears them). Used when update content lists users.</summary>
    public OperationResult<TailnetUser> UpdateUserProfile(string name, string? displayName, string? email)
    {
        return _writer.Run(
            "update user",
            () =>
            {
                if (_users.GetByName(name) is not { } user)
                {
                    return NoUser<TailnetUser>(name);
                }

                var updated = _users.UpdateProfile(user.Id, Blank(displayName), Blank(email));
                return updated.IsOk ? Logged(updated.Row, r => StateEvents.UserUpdated(_log, r.Id, r.Name)) : NoUser<TailnetUser>(name);
            },
            user => new TailnetEffect { UserSaved = user });
    }
}
