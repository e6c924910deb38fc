using Appliance.Hosting.AdminConsole.Sessions;
using Appliance.Hosting.Identity;

namespace Appliance.Hosting.AdminConsole;

/// <summary>The person behind a console request: their session and their identity-file entry as it is now.</summary>
public sealed record ConsoleUser(ConsoleSession Session, Person Person, string Address)
{
    public string Role => Person.Role;

    public bool CanChange(ConsoleArea area) => ConsoleRoles.CanChange(Role, area);
}
