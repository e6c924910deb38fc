using Appliance.State.Identity;

namespace Appliance.Hosting.Content;

/// <summary>What applying an identity file changed.</summary>
public sealed record IdentityApplyResult(int Created, int Updated, int Unchanged)
{
    public override string ToString() => $"{Created} user(s) created, {Updated} updated, {Unchanged} unchanged";
}

/// <summary>
/// Makes the users table agree with an identity file: a listed user who is missing is created, one whose display
/// name or e-mail differs is updated. Nobody is deleted or renamed: a user who is not listed may own nodes, and
/// removing them is an operator decision (<c>appliance users delete --force</c>), never a side effect of content.
/// The whole file is validated before the first write, so a bad file changes nothing.
/// </summary>
public static class IdentityApplier
{
    public static IdentityApplyResult Apply(IdentityService identity, IReadOnlyList<IdentityUser> users)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(users);
        int created = 0, updated = 0, unchanged = 0;
        foreach (var user in users)
        {
            if (identity.FindUser(user.Name) is not { } existing)
            {
                var result = identity.CreateUser(user.Name, user.DisplayName, user.Email);
                if (!result.IsOk)
                {
                    throw new InvalidOperationException($"creating user '{user.Name}' failed: {result.Error}");
                }

                created++;
            }
            else if (existing.DisplayName != user.DisplayName || existing.Email != user.Email)
            {
                var result = identity.UpdateUserProfile(user.Name, user.DisplayName, user.Email);
                if (!result.IsOk)
                {
                    throw new InvalidOperationException($"updating user '{user.Name}' failed: {result.Error}");
                }

                updated++;
            }
            else
            {
                unchanged++;
            }
        }

        return new IdentityApplyResult(created, updated, unchanged);
    }
}
