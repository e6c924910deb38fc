using Appliance.Storage.Stores;

namespace Appliance.State.Identity;

public sealed partial class IdentityService
{
    /// <summary>Sets a user's display name and e-mail (blank clears them). Used when update content lists users.</summary>
    public OperationResult<UserRecord> UpdateUserProfile(string name, string? displayName, string? email)
    {
        if (_users.GetByName(name) is not { } user)
        {
            return NoUser<UserRecord>(name);
        }

        var updated = _users.UpdateProfile(user.Id, Blank(displayName), Blank(email));
        return updated.IsOk ? OperationResult.Ok(updated.Row!) : NoUser<UserRecord>(name);
    }
}
